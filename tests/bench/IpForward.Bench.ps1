<#
.SYNOPSIS
    Get-IpForward reads /proc/sys in-process: its cost against spawning `sysctl -n net.ipv4.ip_forward`, as ratios
    measured in one run (the machine is shared and noisy: compare, do not trust absolute times).
#>
param([Parameter(Mandatory)] [string] $ModulePath, [int] $Iterations = 200)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath -Force

function Measure-PerCall([scriptblock] $Work, [int] $n) {
    & $Work | Out-Null                         # warm-up (JIT, file cache)
    $sw = [System.Diagnostics.Stopwatch]::StartNew()
    for ($i = 0; $i -lt $n; $i++) { & $Work | Out-Null }
    $sw.Elapsed.TotalMilliseconds / $n
}

$sysctl = (Get-Command sysctl -CommandType Application | Select-Object -First 1).Source
$cmdlet = Measure-PerCall { Get-IpForward } $Iterations
$runtimeOnly = Measure-PerCall { [System.IO.File]::ReadAllText('/proc/sys/net/ipv4/ip_forward') } $Iterations
$spawn = Measure-PerCall { & $sysctl -n net.ipv4.ip_forward } $Iterations

"{0,-58} {1,9:N3} ms/call" -f 'Get-IpForward (runtime + every sysctl.d file, in-process)', $cmdlet
"{0,-58} {1,9:N3} ms/call" -f 'read /proc/sys/net/ipv4/ip_forward (the runtime part)', $runtimeOnly
"{0,-58} {1,9:N3} ms/call" -f 'spawn sysctl -n net.ipv4.ip_forward (runtime only)', $spawn
"ratio: spawning sysctl / Get-IpForward           = {0:N1}x" -f ($spawn / $cmdlet)
"ratio: spawning sysctl / in-process /proc read   = {0:N0}x" -f ($spawn / $runtimeOnly)
