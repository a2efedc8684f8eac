<#
.SYNOPSIS
    Runs Pester in this (child) pwsh against the assembled module; writes NUnit XML and a counts file.
    Called by build.ps1 Test; the tests import only the module at $env:DHT_MODULE_PATH.
#>
param(
    [Parameter(Mandatory)] [string] $PesterPath,
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $TestPath,
    [string[]] $IncludeTag = @(),
    [string[]] $ExcludeTag = @(),
    [Parameter(Mandatory)] [string] $ResultFile,
    [Parameter(Mandatory)] [string] $CountsFile
)
$ErrorActionPreference = 'Stop'
Import-Module $PesterPath -Force
$env:DHT_MODULE_PATH = $ModulePath

$config = New-PesterConfiguration
$config.Run.Path = $TestPath
$config.Run.PassThru = $true
$config.Run.Exit = $false
$config.Filter.Tag = @($IncludeTag | ForEach-Object { $_ -split ',' } | Where-Object { $_ })
$config.Filter.ExcludeTag = @($ExcludeTag | ForEach-Object { $_ -split ',' } | Where-Object { $_ })
$config.Output.Verbosity = 'Detailed'
$config.TestResult.Enabled = $true
$config.TestResult.OutputFormat = 'NUnitXml'
$config.TestResult.OutputPath = $ResultFile
$config.Should.ErrorAction = 'Continue'

$result = Invoke-Pester -Configuration $config
# A container that failed to run (a broken BeforeAll, a syntax error) counts as a failure too.
$failedBlocks = @($result.FailedBlocks).Count + @($result.FailedContainers).Count
[pscustomobject]@{
    Passed  = $result.PassedCount
    Failed  = $result.FailedCount + $failedBlocks
    Skipped = $result.SkippedCount + $result.NotRunCount
} | ConvertTo-Json | Set-Content -Path $CountsFile
