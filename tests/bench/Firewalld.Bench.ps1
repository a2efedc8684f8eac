#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Get-FirewalldState wall time against (a) the slowest single firewall-cmd call of the questions it answers and
    (b) a shell script asking the usual questions one call after another, on a real firewalld in the netns lab.
    Get-FirewalldState reads everything over D-Bus in process when it can; it is also timed on the busctl road
    (DOCKERHOSTTOOLS_NO_DBUS=1) and on its fallback road (no D-Bus in process and busctl out of reach: firewall-cmd
    --state, --get-default-zone and both listings, concurrently). Prints ratios from one run (each figure is the median
    of 3 after a warm-up). Needs root (the lab).
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
        $s = Get-FirewalldState
        # The busctl road: no D-Bus in process, one busctl per question.
        $env:DOCKERHOSTTOOLS_NO_DBUS = '1'
        $null = Get-FirewalldState
        $busctl = Median (1..3 | ForEach-Object { (Measure-Command { $null = Get-FirewalldState }).TotalMilliseconds })
        $busctlWith = (Get-FirewalldState).ZonesReadWith
        # The fallback road: PATH holds only firewall-cmd, so busctl is not found.
        $dir = Join-Path ([IO.Path]::GetTempPath()) "dht-nobusctl-$PID"
        New-Item -ItemType Directory $dir | Out-Null
        New-Item -ItemType SymbolicLink -Path (Join-Path $dir 'firewall-cmd') -Target (Get-Command firewall-cmd).Source | Out-Null
        $path = $env:PATH
        try {
            $env:PATH = $dir
            $null = Get-FirewalldState
            $fallback = Median (1..3 | ForEach-Object { (Measure-Command { $null = Get-FirewalldState }).TotalMilliseconds })
            $fallbackWith = (Get-FirewalldState).ZonesReadWith
        }
        finally { $env:PATH = $path; Remove-Item $dir -Recurse -Force; $env:DOCKERHOSTTOOLS_NO_DBUS = $null }
        # The usual questions by hand, one call after another (what a person or a shell runbook does today).
        $sh = 'firewall-cmd --state; firewall-cmd --get-default-zone; firewall-cmd --get-active-zones; ' +
            'firewall-cmd --list-all-zones; firewall-cmd --permanent --list-all-zones; iptables-save; ' +
            'systemctl show firewalld -p ActiveState,ActiveEnterTimestampMonotonic; systemctl show docker -p ActiveState,ActiveEnterTimestampMonotonic'
        $script = Median (1..3 | ForEach-Object { (Measure-Command { & bash -c $sh *> $null }).TotalMilliseconds })
        @{ Single = $single; StateMs = $state; ScriptMs = $script; Cores = [Environment]::ProcessorCount; With = $s.ZonesReadWith
           Zones = "$($s.Zones.Count) runtime + $($s.PermanentZones.Count) permanent"; FallbackMs = $fallback; FallbackWith = $fallbackWith
           BusctlMs = $busctl; BusctlWith = $busctlWith }
'@
}
finally { Stop-FirewalldLab }

$slowest = $r.Single | Sort-Object Ms -Descending | Select-Object -First 1
$r.Single | ForEach-Object { '{0,-40} {1,8:N0} ms' -f $_.Call, $_.Ms }
'{0,-40} {1,8:N0} ms  (zones read with {2}: {3})' -f 'Get-FirewalldState', $r.StateMs, $r.With, $r.Zones
'{0,-40} {1,8:N0} ms  (zones read with {2})' -f 'Get-FirewalldState, DOCKERHOSTTOOLS_NO_DBUS=1', $r.BusctlMs, $r.BusctlWith
'{0,-40} {1,8:N0} ms  (zones read with {2})' -f 'Get-FirewalldState without D-Bus, busctl', $r.FallbackMs, $r.FallbackWith
'{0,-40} {1,8:N0} ms' -f 'shell script (8 calls, sequential)', $r.ScriptMs
''
'Get-FirewalldState / slowest single call ({0}): {1:N2}x (target 1.3x)' -f $slowest.Call, ($r.StateMs / $slowest.Ms)
'Get-FirewalldState / sequential shell script: {0:N2}x' -f ($r.StateMs / $r.ScriptMs)
$listings = ($r.Single | Where-Object Call -like '*--list-all-zones' | Measure-Object Ms -Sum).Sum
'Get-FirewalldState / (firewall-cmd --list-all-zones + --permanent --list-all-zones, {0:N0} ms): {1:N3}x (target <= 0.05x); busctl road: {2:N3}x' -f $listings, ($r.StateMs / $listings), ($r.BusctlMs / $listings)
'Get-FirewalldState without D-Bus or busctl / slowest single call: {0:N2}x; / shell script: {1:N2}x' -f ($r.FallbackMs / $slowest.Ms), ($r.FallbackMs / $r.ScriptMs)
'cores: {0}' -f $r.Cores
