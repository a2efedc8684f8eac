<#
.SYNOPSIS
    The fleet (issue 15; needs root): 8 lab hosts (tests/lab/fleet, trixie and docker28 trees) reached over SSH from the
    admin namespace. Prints, from one run: the fleet diagnosis of 1, 2, 4 and 8 hosts on warm sessions as ratios to one
    host's; first contact (sessions opened, the module imported on each host, one diagnosis) for 8 hosts against 1; and
    the controlling pwsh's memory with 8 warm sessions. Ratios only: the machine is shared and noisy; nothing asserts a time.
#>
param([Parameter(Mandatory)] [string] $ModulePath)
$ErrorActionPreference = 'Stop'
if ((& id -u) -ne '0') { Write-Warning 'Fleet bench skipped: the fleet lab needs root.'; return }
$module = (Resolve-Path $ModulePath).Path
Import-Module (Join-Path $PSScriptRoot '../lab/LabPwsh.psm1') -Force
$fleet = Join-Path ([IO.Path]::GetTempPath()) 'dkfleet'
$moduleDir = Split-Path $module
$specs = 1..8 | ForEach-Object { "${_}:$(if ($_ % 2) { 'trixie' } else { 'docker28' }):$moduleDir" }
try {
    & env "PWSH_DIR=$(Split-Path ([Environment]::GetCommandLineArgs()[0]))" "FLEET=$fleet" bash (Join-Path $PSScriptRoot '../lab/fleet/up.sh') @specs | Out-Null
    if ($LASTEXITCODE -ne 0) { throw "fleet up.sh failed ($LASTEXITCODE)" }
    $hosts = [string[]] (1..8 | ForEach-Object { "198.51.100.$(10 + $_)" })
    $r = Invoke-LabPwshRun -Enter @('ip', 'netns', 'exec', 'fl-admin') -WorkRoot $fleet -ModulePath $module -ArgumentList $hosts, (Join-Path $fleet 'key') -ScriptBlock {
        param($hosts, $key)
        $o = @{ StrictHostKeyChecking = 'no'; UserKnownHostsFile = '/dev/null'; LogLevel = 'ERROR' }
        function Diagnose([string[]] $h) { Test-DockerHost -HostName $h -UserName root -KeyFilePath $key -Options $o | Out-Null }
        function Ms([scriptblock] $s) { $w = [Diagnostics.Stopwatch]::StartNew(); & $s; $w.Elapsed.TotalMilliseconds }
        function Reset { $p = (Get-Module DockerHostTools).Path; Remove-Module DockerHostTools; Import-Module $p }   # closes the sessions
        $first1 = Ms { Diagnose $hosts[0] }
        Reset
        $first8 = Ms { Diagnose $hosts }
        $warm = foreach ($n in 1, 2, 4, 8) {
            $t = foreach ($i in 1..3) { Ms { Diagnose $hosts[0..($n - 1)] } }
            [pscustomobject]@{ Hosts = $n; Ms = ($t | Sort-Object)[1] }
        }
        [GC]::Collect()
        $p = [Diagnostics.Process]::GetCurrentProcess()
        [pscustomobject]@{ First1 = $first1; First8 = $first8; Warm = $warm; WorkingSetMB = [math]::Round($p.WorkingSet64 / 1MB); ManagedMB = [math]::Round([GC]::GetTotalMemory($true) / 1MB, 1) }
    }
    if ($r.Errors) { $r.Errors | ForEach-Object { Write-Warning $_.Message } }
    $m = $r.Output[0]
    $one = ($m.Warm | Where-Object Hosts -eq 1).Ms
    foreach ($w in $m.Warm) { '{0} host(s) warm: {1:N0} ms, {2:N2}x one host' -f $w.Hosts, $w.Ms, ($w.Ms / $one) }
    'first contact: 1 host {0:N0} ms, 8 hosts {1:N0} ms, {2:N2}x' -f $m.First1, $m.First8, ($m.First8 / $m.First1)
    'controlling pwsh with 8 warm sessions: working set {0} MB, managed heap {1} MB' -f $m.WorkingSetMB, $m.ManagedMB
}
finally {
    & env "FLEET=$fleet" bash (Join-Path $PSScriptRoot '../lab/fleet/down.sh') | Out-Null
}
