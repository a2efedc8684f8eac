#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Get-FirewalldState wall time against (a) the slowest single firewall-cmd call it makes and (b) a shell script
    asking the usual questions one call after another, on a real firewalld in the netns lab. Prints ratios from one
    run (each figure is the median of 3 after a warm-up). Needs root (the lab).
#>
param([Parameter(Mandatory)] [string] $ModulePath)
$ErrorActionPreference = 'Stop'
if ((& id -u) -ne '0') { Write-Warning 'Firewalld bench skipped: it needs root (the netns lab).'; exit 0 }
Import-Module (Join-Path $PSScriptRoot '../lab/FirewalldLab.psm1') -Force
$env:DHT_MODULE_PATH = (Resolve-Path $ModulePath).Path

Start-FirewalldLab -Backend nftables
try {
    $r = Invoke-ModuleInFirewalldLab @'
        function Median([double[]] $v) { ($v | Sort-Object)[[int][math]::Floor($v.Count / 2)] }
        $null = Get-FirewalldState   # warm-up: JIT, assembly loads, Python's bytecode cache
        $calls = @(@('--state'), @('--get-default-zone'), @('--list-all-zones'), @('--permanent', '--list-all-zones'))
        $single = foreach ($c in $calls) {
            [pscustomobject]@{ Call = "firewall-cmd $($c -join ' ')"; Ms = Median (1..3 | ForEach-Object { (Measure-Command { & firewall-cmd @c *> $null }).TotalMilliseconds }) }
        }
        $state = Median (1..3 | ForEach-Object { (Measure-Command { $null = Get-FirewalldState }).TotalMilliseconds })
        # The usual questions by hand, one call after another (what a person or a shell runbook does today).
        $sh = 'firewall-cmd --state; firewall-cmd --get-default-zone; firewall-cmd --get-active-zones; ' +
            'firewall-cmd --list-all-zones; firewall-cmd --permanent --list-all-zones; iptables-save; ' +
            'systemctl show firewalld -p ActiveState,ActiveEnterTimestampMonotonic; systemctl show docker -p ActiveState,ActiveEnterTimestampMonotonic'
        $script = Median (1..3 | ForEach-Object { (Measure-Command { & bash -c $sh *> $null }).TotalMilliseconds })
        @{ Single = $single; StateMs = $state; ScriptMs = $script; Cores = [Environment]::ProcessorCount }
'@
}
finally { Stop-FirewalldLab }

$slowest = $r.Single | Sort-Object Ms -Descending | Select-Object -First 1
$r.Single | ForEach-Object { '{0,-40} {1,8:N0} ms' -f $_.Call, $_.Ms }
'{0,-40} {1,8:N0} ms' -f 'Get-FirewalldState (busctl + 2 concurrent)', $r.StateMs
'{0,-40} {1,8:N0} ms' -f 'shell script (8 calls, sequential)', $r.ScriptMs
''
'Get-FirewalldState / slowest single call ({0}): {1:N2}x (target 1.3x)' -f $slowest.Call, ($r.StateMs / $slowest.Ms)
'Get-FirewalldState / sequential shell script: {0:N2}x' -f ($r.StateMs / $r.ScriptMs)
'cores: {0}' -f $r.Cores
