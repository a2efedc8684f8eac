<#
.SYNOPSIS
    The main job (build.ps1 Run): diagnose this host's published-port path.
#>
param([Parameter(Mandatory)] [string] $ModulePath)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath -Force
Write-Host 'IP forwarding on this host (runtime, persisted, and the file that decides it):' -ForegroundColor Cyan
Get-IpForward -Family All | Format-Table -AutoSize | Out-Host
Get-IpForward -Family All | ForEach-Object { Write-Host ("{0}: {1}" -f $_.Key, $_.Message) }
