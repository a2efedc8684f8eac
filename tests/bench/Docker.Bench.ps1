<#
.SYNOPSIS
    Docker's side of the host, in the Recipe 2 lab (dockerd 20.10 in netns dkhost, registry on 5000), as ratios from
    one run (the machine is shared and noisy: compare, do not trust absolute times):
      - Get-DockerChain (one iptables-save per variant, 2 processes) against asking iptables per chain the way it is
        done by hand (iptables -t nat -S DOCKER, -S DOCKER, -S DOCKER-USER, -S DOCKER-ISOLATION-STAGE-1/2, -S FORWARD:
        6 processes for one variant only);
      - the listening-socket check of ProxyListening (/proc/net, in-process) against spawning `ss -ltnp`;
      - Get-DockerPublishedPort end to end against the docker CLI's `docker ps` alone.
    Needs root (it brings the Recipe 2 lab up and down); skips otherwise.
#>
param([Parameter(Mandatory)] [string] $ModulePath, [int] $Iterations = 20)
$ErrorActionPreference = 'Stop'
if ((& id -u) -ne '0') { Write-Warning 'Docker bench skipped: the dockerd lab needs root.'; return }
Import-Module (Join-Path $PSScriptRoot '../lab/DockerLab.psm1') -Force
$env:DHT_MODULE_PATH = (Resolve-Path $ModulePath).Path

$lab = Start-DockerdLab
try {
    $r = Invoke-DockerLabPwsh $lab {
        param($Socket, $N)
        function PerCall([scriptblock] $Work) {
            & $Work | Out-Null
            $sw = [Diagnostics.Stopwatch]::StartNew()
            for ($i = 0; $i -lt $N; $i++) { & $Work | Out-Null }
            $sw.Elapsed.TotalMilliseconds / $N
        }
        $iptables = (Get-Command iptables -CommandType Application | Select-Object -First 1).Source
        $docker = (Get-Command docker -CommandType Application | Select-Object -First 1).Source
        $ss = (Get-Command ss -CommandType Application | Select-Object -First 1).Source
        $ports = [System.Collections.Generic.HashSet[int]]::new([int[]]@(5000))
        [pscustomobject]@{
            Chain       = PerCall { Get-DockerChain -Socket $Socket }
            PerChain    = PerCall { & $iptables -t nat -S DOCKER; foreach ($c in 'DOCKER', 'DOCKER-USER', 'DOCKER-ISOLATION-STAGE-1', 'DOCKER-ISOLATION-STAGE-2', 'FORWARD') { & $iptables -S $c } }
            ProcNet     = PerCall { [DockerHostTools.Core.Docker.ListeningSockets]::Read([DockerHostTools.Core.Native.HostFileSystem]::Live, $ports) }
            Ss          = PerCall { & $ss -ltnpH }
            Published   = PerCall { Get-DockerPublishedPort -Socket $Socket }
            DockerPs    = PerCall { & $docker -H "unix://$Socket" ps }
        }
    } -ArgumentList $lab.Socket, $Iterations
    if ($r.Errors) { throw "bench failed: $($r.Errors.Message -join '; ')" }
    $m = $r.Output[0]
    "{0,-66} {1,9:N2} ms/call" -f 'Get-DockerChain (iptables-nft-save + iptables-legacy-save)', $m.Chain
    "{0,-66} {1,9:N2} ms/call" -f 'iptables -S per chain by hand (6 processes, one variant)', $m.PerChain
    "{0,-66} {1,9:N3} ms/call" -f 'listening sockets on the published ports from /proc/net', $m.ProcNet
    "{0,-66} {1,9:N2} ms/call" -f 'ss -ltnp', $m.Ss
    "{0,-66} {1,9:N2} ms/call" -f 'Get-DockerPublishedPort (engine API + 2 saves + /proc/net)', $m.Published
    "{0,-66} {1,9:N2} ms/call" -f 'docker ps (the CLI alone)', $m.DockerPs
    "ratio: iptables per chain / Get-DockerChain          = {0:N1}x" -f ($m.PerChain / $m.Chain)
    "ratio: ss -ltnp / /proc/net read                     = {0:N0}x" -f ($m.Ss / $m.ProcNet)
    "ratio: Get-DockerPublishedPort / docker ps           = {0:N2}x" -f ($m.Published / $m.DockerPs)
}
finally { Stop-DockerdLab }
