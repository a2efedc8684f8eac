<#
.SYNOPSIS
    The main job (build.ps1 Run). On a host that runs Docker: Test-DockerHost on it. On a machine without Docker, as
    root: bring up the lab Docker host (systemd-nspawn machine with systemd, firewalld, dockerd and a registry on 5000),
    reproduce the original incident, show the outside client timing out, the findings, the repair, and the outside
    client pulling again; then take the lab down.
#>
param([Parameter(Mandatory)] [string] $ModulePath, [switch] $KeepLab)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath -Force
$env:DHT_MODULE_PATH = (Resolve-Path $ModulePath).Path

function Write-Title([string] $Text) { Write-Host ''; Write-Host "== $Text" -ForegroundColor Cyan }

$socket = '/run/docker.sock'
$dockerHere = (Test-Path $socket) -and ((& curl -s -m 3 --unix-socket $socket http://d/_ping 2>$null) -eq 'OK')
if ($dockerHere) {
    Write-Title "This host runs Docker: Test-DockerHost"
    $findings = Test-DockerHost
    $findings | Out-Host
    if (-not ($findings | Where-Object Severity -ne 'Info')) { Write-Host 'No Error and no Warning: published ports should answer from outside.' -ForegroundColor Green }
    else { Write-Host 'To fix the repairable findings: Test-DockerHost | Repair-DockerHost' -ForegroundColor Yellow }
    return
}

if ((& id -u) -ne '0') {
    Write-Warning 'No Docker engine here, and the lab Docker host needs root: run as root, or run it on a Docker host.'
    Get-IpForward -Family All | Out-Host
    return
}

Import-Module (Join-Path $PSScriptRoot 'lab/DockerLab.psm1') -Force
$nspawn = Join-Path $PSScriptRoot 'lab/nspawn'
$dkx = Join-Path $nspawn 'dk-nsexec.sh'
$outside = 'http://198.51.100.10:5000'

function Invoke-Machine { & bash $dkx @args 2>&1 }
function Invoke-MachinePwsh([string] $Command) {
    # The module inside the lab machine, output as a person sees it (the module's own format views).
    $pwshDll = '/dk/pwsh/' + (Split-Path ([Environment]::GetCommandLineArgs()[0]) -Leaf)
    $script = "`$ProgressPreference = 'SilentlyContinue'; Import-Module /dk/module/$(Split-Path $ModulePath -Leaf); & { $Command } | Out-String -Width 130"
    & bash $dkx env HOME=/root DOTNET_CLI_HOME=/root DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 TERM=dumb `
        /usr/share/dotnet/dotnet $pwshDll -NoProfile -NonInteractive -Command $script 2>&1 | Out-Host
}
function Test-Outside([int] $ConnectTimeout = 3) {
    $w = & ip netns exec dkbext curl -s -o /dev/null -w '%{http_code} %{time_total}' --connect-timeout $ConnectTimeout -m ($ConnectTimeout + 2) "$outside/v2/" 2>$null
    $code, $time = "$w" -split ' '
    [pscustomobject]@{ Code = if ($code) { $code } else { '000' }; Seconds = [double]$time }
}
function Invoke-OutsidePull {
    # A pull over the registry API from the outside namespace: the manifest, then every blob it names.
    $accept = 'Accept: application/vnd.docker.distribution.manifest.v2+json'
    $manifest = & ip netns exec dkbext curl -s -f -m 10 -H $accept "$outside/v2/dkbusybox/manifests/1" 2>$null
    if (-not $manifest) { return $null }
    $m = $manifest | ConvertFrom-Json
    $bytes = 0
    foreach ($d in @($m.config.digest) + @($m.layers.digest)) {
        $size = & ip netns exec dkbext curl -s -f -m 20 -o /dev/null -w '%{size_download}' "$outside/v2/dkbusybox/blobs/$d"
        if ($LASTEXITCODE -ne 0) { return $null }
        $bytes += [long]$size
    }
    [pscustomobject]@{ Layers = @($m.layers).Count; Bytes = $bytes }
}

try {
    Write-Title 'No Docker engine here: bringing up the lab Docker host (systemd, firewalld, dockerd, registry on 5000)'
    $moduleDir = Split-Path $env:DHT_MODULE_PATH
    $pwshDir = Split-Path ([Environment]::GetCommandLineArgs()[0])
    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    $log = [System.Collections.Generic.List[string]]::new()
    # A fresh machine has none of the lab's packages: install what is missing (no daemon starts in this namespace).
    & bash (Join-Path $PSScriptRoot 'lab/install-host-packages.sh') 2>&1 | ForEach-Object {
        $log.Add("$_")
        Write-Progress -Activity 'Installing the lab packages' -Status ("{0,5:N0} s  {1}" -f $watch.Elapsed.TotalSeconds, "$_")
    }
    Write-Progress -Activity 'Installing the lab packages' -Completed
    if ($LASTEXITCODE -ne 0) { throw "Installing the lab packages failed:`n$($log -join "`n")" }
    & bash (Join-Path $nspawn 'up.sh') $moduleDir $pwshDir 2>&1 | ForEach-Object {
        $log.Add("$_")
        Write-Progress -Activity 'Booting the lab Docker host' -Status ("{0,5:N0} s  {1}" -f $watch.Elapsed.TotalSeconds, "$_")
    }
    Write-Progress -Activity 'Booting the lab Docker host' -Completed
    if ($LASTEXITCODE -ne 0) { throw "The lab did not come up:`n$($log -join "`n")" }
    Write-Host ("Lab up in {0:N0} s. {1}" -f $watch.Elapsed.TotalSeconds, ($log | Select-Object -Last 1))

    # Something to pull: push a small image into the registry from inside the machine.
    Invoke-Machine docker tag dkbusybox:local 127.0.0.1:5000/dkbusybox:1 | Out-Null
    Invoke-Machine docker push 127.0.0.1:5000/dkbusybox:1 | Select-Object -Last 1 | Out-Host
    $pull = Invoke-OutsidePull
    Write-Host ("Outside client pulls dkbusybox:1 from {0}: {1}" -f $outside, $(if ($pull) { "ok, $($pull.Layers) layer(s), $($pull.Bytes) bytes" } else { 'FAILED' }))

    Write-Title 'Reproducing the incident: a network restart resets ip_forward, then firewalld is restarted after docker'
    Invoke-Machine systemd-run --unit=dht-demo-network-restart --wait --quiet sysctl -q -w net.ipv4.ip_forward=0 | Out-Null
    Invoke-Machine systemctl restart firewalld | Out-Null
    Start-Sleep -Seconds 3
    $t = Test-Outside
    Write-Host ("Outside client: GET {0}/v2/ -> {1} after {2:N1} s ({3})" -f $outside, $t.Code, $t.Seconds, $(if ($t.Code -eq '000') { 'timed out: the incident' } else { 'answered' }))
    $hostSide = Invoke-Machine curl -s -o /dev/null -w '%{http_code}' -m 3 http://127.0.0.1:5000/v2/
    Write-Host "The host itself: GET http://127.0.0.1:5000/v2/ -> $hostSide (why nobody on the host notices)"

    Write-Title 'Test-DockerHost (inside the lab host)'
    Invoke-MachinePwsh 'Test-DockerHost'

    Write-Title 'Test-DockerHost | Repair-DockerHost -Confirm:$false'
    Invoke-MachinePwsh 'Test-DockerHost | Repair-DockerHost -Confirm:$false | Format-Table -AutoSize -Wrap'

    Write-Title 'After the repair'
    $t = Test-Outside
    Write-Host ("Outside client: GET {0}/v2/ -> {1} after {2:N1} s" -f $outside, $t.Code, $t.Seconds)
    $pull = Invoke-OutsidePull
    Write-Host ("Outside client pulls dkbusybox:1 again: {0}" -f $(if ($pull) { "ok, $($pull.Layers) layer(s), $($pull.Bytes) bytes" } else { 'FAILED' }))
    # A network restart as CentOS's initscript does it: off, then the net.* keys of the sysctl files applied again.
    Invoke-NspawnNetworkRestart -Unit dht-demo-network-restart2
    Write-Host "After another network restart (off, then the sysctl files applied again): ip_forward = $(Invoke-Machine cat /proc/sys/net/ipv4/ip_forward)"
    Invoke-Machine systemctl restart systemd-sysctl | Out-Null
    Write-Host "After systemctl restart systemd-sysctl: ip_forward = $(Invoke-Machine cat /proc/sys/net/ipv4/ip_forward)"
    Invoke-MachinePwsh 'Test-DockerHost | Format-Table -View FindingTable; if (-not (Test-DockerHost | Where-Object Severity -ne Info)) { "Test-DockerHost: no Error, no Warning." }'
    if (-not $pull) { exit 1 }
}
finally {
    if (-not $KeepLab) {
        Write-Progress -Activity 'Taking the lab down' -Status 'poweroff'
        Stop-NspawnLab
        Write-Progress -Activity 'Taking the lab down' -Completed
    }
}
