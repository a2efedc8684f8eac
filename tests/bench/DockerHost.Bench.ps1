<#
.SYNOPSIS
    On the lab Docker host (needs root): Test-DockerHost's wall time against (a) the slowest single native call it makes
    and (b) a shell script asking the same questions one call after another; and Watch-DockerHostNetState's CPU use over a
    minute at a 1 s interval. Ratios from one run (the machine is shared and noisy).
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    # Another build (an earlier one) whose cold start is timed the same way in the same run, for before and after.
    [string] $CompareModulePath,
    # Leave out the minute-long watcher CPU figure.
    [switch] $SkipWatch
)
$ErrorActionPreference = 'Stop'
if ((& id -u) -ne '0') { Write-Warning 'DockerHost bench skipped: the lab Docker host needs root.'; return }
$env:DHT_MODULE_PATH = (Resolve-Path $ModulePath).Path
Import-Module (Join-Path $PSScriptRoot '../lab/DockerLab.psm1') -Force
function Measure-Warm($lab) {
    # Test-DockerHost warm against the slowest single call and the sequential shell script, on one generation.
    $r = Invoke-DockerLabPwsh $lab {
        function Time([scriptblock] $s, [int] $n = 3) {
            & $s | Out-Null
            $t = foreach ($i in 1..$n) { $w = [Diagnostics.Stopwatch]::StartNew(); & $s | Out-Null; $w.Elapsed.TotalMilliseconds }
            ($t | Sort-Object)[[int][Math]::Floor($n / 2)]
        }
        $calls = [ordered]@{
            'firewall-cmd --list-all-zones'             = { firewall-cmd --list-all-zones }
            'firewall-cmd --permanent --list-all-zones' = { firewall-cmd --permanent --list-all-zones }
            'busctl firewalld state'                    = { busctl get-property org.fedoraproject.FirewallD1 /org/fedoraproject/FirewallD1 org.fedoraproject.FirewallD1 state }
            'iptables-nft-save'                         = { iptables-nft-save }
            'iptables-legacy-save'                      = { iptables-legacy-save }
            'systemctl show (6 units)'                  = { systemctl show docker containerd firewalld network NetworkManager systemd-networkd -p Id,ActiveState }
            'Engine API /containers/json'               = { curl -s --unix-socket /run/docker.sock 'http://d/v1.41/containers/json?all=1' }
        }
        $single = foreach ($k in $calls.Keys) { [pscustomobject]@{ Call = $k; Ms = Time $calls[$k] } }
        $script = @'
firewall-cmd --state; firewall-cmd --get-default-zone; firewall-cmd --get-active-zones
firewall-cmd --list-all-zones; firewall-cmd --permanent --list-all-zones
iptables-nft-save; iptables-legacy-save
systemctl show docker containerd firewalld -p ActiveState,ActiveEnterTimestampMonotonic
curl -s --unix-socket /run/docker.sock http://d/v1.41/containers/json?all=1
sysctl -n net.ipv4.ip_forward; cat /etc/sysctl.d/*.conf /etc/sysctl.conf
'@
        $sh = Time { sh -c $script 2>&1 }
        $test = Time { Test-DockerHost }
        [pscustomobject]@{ Single = $single; Shell = $sh; Test = $test }
    }
    if ($r.Errors) { throw ($r.Errors | ForEach-Object Message) -join "`n" }
    $m = $r.Output[0]
    $script:m = $m   # the cold figures below are ratios to this generation's shell script
    $slowest = $m.Single | Sort-Object Ms -Descending | Select-Object -First 1
    "[$($lab.Generation)]"
    '{0,-48} {1,8:N0} ms' -f 'Test-DockerHost (median of 3, warm)', $m.Test
    foreach ($s in $m.Single) { '  {0,-46} {1,8:N0} ms' -f $s.Call, $s.Ms }
    '{0,-48} {1,8:N0} ms' -f 'shell script, the same questions one after another', $m.Shell
    'ratio: Test-DockerHost / slowest single call ({0}) = {1:N2}x (target <= 1.3x)' -f $slowest.Call, ($m.Test / $slowest.Ms)
    'ratio: Test-DockerHost / sequential shell script = {0:N3}x (target <= 0.05x)' -f ($m.Test / $m.Shell)

}

$lab = Start-NspawnLab
try {
    Measure-Warm $lab

    # Cold: each a new pwsh in the machine (median of 3 after a warm-up): bare, import, import + one Test-DockerHost.
    $modules = @('')
    if ($CompareModulePath) {
        # the machine sees the lab's transfer folder at /dkx
        $copy = Join-Path $lab.Dir 'compare-module'
        Remove-Item $copy -Recurse -Force -ErrorAction Ignore
        Copy-Item (Split-Path (Resolve-Path $CompareModulePath).Path) $copy -Recurse
        $modules += '/dkx/compare-module/' + (Split-Path $CompareModulePath -Leaf)
    }
    foreach ($other in $modules) {
    $cold = Invoke-DockerLabPwsh $lab -ArgumentList $other {
        param($other)
        $pwshDll = [Environment]::GetCommandLineArgs()[0]
        $module = if ($other) { $other } else { (Get-Module DockerHostTools).Path -replace '\.dll$', '.psd1' }
        function Child([string] $c) {
            $t = & bash -c 'TIMEFORMAT="%R %U %S"; { time "$@" >/dev/null 2>&1; } 2>&1' _ ([Environment]::ProcessPath) $pwshDll -NoProfile -NonInteractive -c $c
            $r, $u, $s = [double[]] ("$t".Trim() -split ' '); [pscustomobject]@{ Wall = 1000 * $r; Cpu = 1000 * ($u + $s) }
        }
        $cases = [ordered]@{ Bare = '1'; Import = "Import-Module '$module'"; Test = "Import-Module '$module'; `$null = Test-DockerHost" }
        $null = Child '1'; $null = Child $cases.Test
        $samples = @{ Bare = @(); Import = @(); Test = @() }
        foreach ($round in 1..3) { foreach ($k in @($cases.Keys)) { $samples[$k] += Child $cases[$k] } }
        $med = { param($v) ($v | Sort-Object)[1] }
        [pscustomobject]@{
            Bare = & $med $samples.Bare.Wall; Import = & $med $samples.Import.Wall; Test = & $med $samples.Test.Wall
            BareCpu = & $med $samples.Bare.Cpu; ImportCpu = & $med $samples.Import.Cpu; TestCpu = & $med $samples.Test.Cpu; Module = $module
        }
    }
    if ($cold.Errors) { throw ($cold.Errors | ForEach-Object Message) -join "`n" }
    $k = $cold.Output[0]
    "cold start of $($k.Module)"
    'cold, new pwsh each (median of 3): bare {0:N0} ms, + Import-Module {1:N0} ms, + import and one Test-DockerHost {2:N0} ms (cpu {3:N0} / {4:N0} / {5:N0} ms)' -f $k.Bare, $k.Import, $k.Test, $k.BareCpu, $k.ImportCpu, $k.TestCpu
    'ratio: (import + one Test-DockerHost - bare pwsh) / sequential shell script = {0:N3}x (target <= 0.15x); import alone - bare = {1:N3}x' -f (($k.Test - $k.Bare) / $m.Shell), (($k.Import - $k.Bare) / $m.Shell)
    }
    if (-not $SkipWatch) {   # the watcher's CPU over a minute

    # Watch-DockerHostNetState: CPU over a minute at a 1 s interval, against an idle pwsh doing nothing for as long.
    $cpu = Invoke-DockerLabPwsh $lab {
        $pwshDll = [Environment]::GetCommandLineArgs()[0]
        $module = (Get-Module DockerHostTools).Path -replace '\.dll$', '.psd1'
        $tick = 100.0   # USER_HZ
        function Cpu([int] $id) { $f = ((Get-Content "/proc/$id/stat" -Raw) -split '\) ')[1] -split ' '; ([double]$f[11] + [double]$f[12]) / $tick }
        $watch = Start-Process -PassThru -FilePath ([Environment]::ProcessPath) -ArgumentList $pwshDll, '-NoProfile', '-NonInteractive', '-Command',
            "Import-Module '$(Split-Path $module)/DockerHostTools.psd1'; Watch-DockerHostNetState -Interval 1 -Duration 100 | Out-Null"
        $idle = Start-Process -PassThru -FilePath ([Environment]::ProcessPath) -ArgumentList $pwshDll, '-NoProfile', '-NonInteractive', '-Command',
            "Import-Module '$(Split-Path $module)/DockerHostTools.psd1'; Start-Sleep -Seconds 100"
        Start-Sleep -Seconds 30    # past start-up and the runtime's tiered JIT: the steady state is what a long watch costs
        $w0 = Cpu $watch.Id; $i0 = Cpu $idle.Id; $t0 = [DateTime]::UtcNow
        Start-Sleep -Seconds 60
        $w1 = Cpu $watch.Id; $i1 = Cpu $idle.Id; $secs = ([DateTime]::UtcNow - $t0).TotalSeconds
        $watch.Kill(); $idle.Kill()
        [pscustomobject]@{ WatchPct = 100 * ($w1 - $w0) / $secs; IdlePct = 100 * ($i1 - $i0) / $secs; Seconds = $secs }
    }
    if ($cpu.Errors) { throw ($cpu.Errors | ForEach-Object Message) -join "`n" }
    $c = $cpu.Output[0]
    'Watch-DockerHostNetState -Interval 1 (default -SlowEvery 15): {0:N2}% of one core over {1:N0} s; an idle pwsh with the module: {2:N2}%; the watching itself: {3:N2}% (target < 1%)' -f $c.WatchPct, $c.Seconds, $c.IdlePct, ($c.WatchPct - $c.IdlePct)
    }
}
finally { Stop-NspawnLab }

# The same warm ratio on the other generations of the lab (issue 11: Docker 26 + firewalld 2.3, Docker 28 + firewalld 2.5).
foreach ($g in @(Get-NspawnLabGeneration 'all').Generation | Where-Object { $_ -ne 'bookworm' }) {
    $other = Start-NspawnLab -Generation $g
    try { Measure-Warm $other }
    finally { Stop-NspawnLab $other }
}
