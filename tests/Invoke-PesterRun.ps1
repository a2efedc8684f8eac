<#
.SYNOPSIS
    Runs Pester in this (child) pwsh against the assembled module; writes NUnit XML and a counts file.
    Called by build.ps1 Test; the tests import only the module at $env:DHT_MODULE_PATH.
    -DiscoverOnly runs nothing: it counts the tests the tag filter selects (NotRun in the counts file), so that a
    run without root can say how many lab tests it left out.
#>
param(
    [Parameter(Mandatory)] [string] $PesterPath,
    [Parameter(Mandatory)] [string] $ModulePath,
    # Comma-separated paths to run, and to leave out.
    [Parameter(Mandatory)] [string] $TestPath,
    [string] $ExcludePath = '',
    # Comma-separated tag lists (an empty array would not survive the trip through a child process's command line).
    [string] $IncludeTag = '',
    [string] $ExcludeTag = '',
    [Parameter(Mandatory)] [string] $ResultFile,
    [Parameter(Mandatory)] [string] $CountsFile,
    [switch] $DiscoverOnly
)
$ErrorActionPreference = 'Stop'
Import-Module $PesterPath -Force
$env:DHT_MODULE_PATH = $ModulePath

$config = New-PesterConfiguration
$config.Run.Path = @($TestPath -split ',' | Where-Object { $_ })
$config.Run.ExcludePath = @($ExcludePath -split ',' | Where-Object { $_ })
$config.Run.PassThru = $true
$config.Run.Exit = $false
$config.Filter.Tag = @($IncludeTag -split ',' | Where-Object { $_ })
$config.Filter.ExcludeTag = @($ExcludeTag -split ',' | Where-Object { $_ })
$config.Output.Verbosity = 'Detailed'
$config.TestResult.Enabled = $true
$config.TestResult.OutputFormat = 'NUnitXml'
$config.TestResult.OutputPath = $ResultFile
$config.Should.ErrorAction = 'Continue'
if ($DiscoverOnly) {
    $config.Run.SkipRun = $true
    $config.TestResult.Enabled = $false
    $config.Output.Verbosity = 'None'
    $result = Invoke-Pester -Configuration $config
    [pscustomobject]@{ Passed = 0; Failed = 0; Skipped = 0; NotRun = @($result.Tests | Where-Object ShouldRun).Count } |
        ConvertTo-Json | Set-Content -Path $CountsFile
    return
}

$result = Invoke-Pester -Configuration $config
# A container that failed to run (a broken BeforeAll, a syntax error) counts as a failure too.
$failedBlocks = @($result.FailedBlocks).Count + @($result.FailedContainers).Count
[pscustomobject]@{
    Passed  = $result.PassedCount
    Failed  = $result.FailedCount + $failedBlocks
    Skipped = $result.SkippedCount   # tests left out by the tag filter are not counted
    # Named again at the end of build.ps1 Test, where CI's tail shows them.
    FailedTests = @(@($result.Failed | ForEach-Object { $_.ExpandedPath }) +
        @(@($result.FailedBlocks) + @($result.FailedContainers) | ForEach-Object { "$($_.Name) (block or file did not run)" }))
} | ConvertTo-Json | Set-Content -Path $CountsFile
