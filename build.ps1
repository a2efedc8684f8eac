#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Builds, tests, benchmarks and runs DockerHostTools.
.DESCRIPTION
    Tasks:
      Build  compile (ReadyToRun, linux-x64), assemble output/DockerHostTools/<version>/ (DLLs, manifest, module/ files, MAML help)
      Test   core unit tests (xunit), then Pester in a child pwsh against the assembled module, then the lab
             tests when running as root; the last line is "N passed, N failed"; exits non-zero on any failure
      Bench  benchmarks that print ratios measured in one run
      Run    the main job
      Clean  remove output/ and bin/obj folders
    Use it through the repo's own pwsh:  dotnet tool restore && dotnet pwsh ./build.ps1 Test
.EXAMPLE
    dotnet pwsh ./build.ps1 Build, Test
#>
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('Build', 'Test', 'Bench', 'Run', 'Clean')]
    [string[]] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # Pester tags to run (Test task); by default every tag, Lab ones only as root.
    [string[]] $Tag,

    # Skip the lab tests even as root.
    [switch] $NoLab
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$Tag = @($Tag | ForEach-Object { $_ -split ',' } | Where-Object { $_ })

# ---- pinned tool versions: the one place they live --------------------------------------------
$PesterVersion = '5.7.1'

$ModuleName = 'DockerHostTools'
$Root = $PSScriptRoot
$Manifest = Import-PowerShellDataFile (Join-Path $Root "$ModuleName.psd1")
$Version = $Manifest.ModuleVersion
$OutputRoot = Join-Path $Root 'output'
$ModuleOut = Join-Path $OutputRoot $ModuleName $Version
$ResultsDir = Join-Path $OutputRoot 'TestResults'
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:DOTNET_NOLOGO = '1'

function Write-Step([string] $Text) { Write-Host "==> $Text" -ForegroundColor Cyan }

function Invoke-Native {
    # Runs a program with an argument array; throws when it exits non-zero.
    param([string] $FilePath, [string[]] $ArgumentList)
    & $FilePath @ArgumentList
    if ($LASTEXITCODE -ne 0) { throw "'$FilePath $($ArgumentList -join ' ')' exited with $LASTEXITCODE" }
}

function Get-PwshCommand {
    # The pwsh that runs this script (the repo's dotnet tool): the same one runs the child Pester process.
    $pwshDll = [Environment]::GetCommandLineArgs()[0]
    if ($pwshDll -like '*.dll') { return @([Environment]::ProcessPath, $pwshDll) }
    return @([Environment]::ProcessPath)
}

function Get-PesterPath {
    $nugetRoot = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path $HOME '.nuget/packages' }
    $path = Join-Path $nugetRoot "pester/$PesterVersion/tools/Pester.psd1"
    if (-not (Test-Path $path)) {
        Write-Step "Restoring Pester $PesterVersion from NuGet"
        Invoke-Native dotnet @('restore', (Join-Path $Root 'tests/tools/restore-tools.csproj'), "-p:PesterVersion=$PesterVersion", '--verbosity', 'quiet')
    }
    if (-not (Test-Path $path)) { throw "Pester $PesterVersion was restored but $path is missing." }
    return $path
}

function Invoke-Build {
    Write-Step "Build $ModuleName $Version ($Configuration)"
    $publish = Join-Path $OutputRoot 'publish'
    if (Test-Path $publish) { Remove-Item $publish -Recurse -Force }
    # ReadyToRun (linux-x64, framework-dependent): the module's assemblies and their dependencies carry native code, so
    # import and the first diagnosis do not wait for the JIT. Crossgen2 and the runtime pack come from NuGet at restore.
    Invoke-Native dotnet @('publish', (Join-Path $Root "src/$ModuleName/$ModuleName.csproj"), '-c', $Configuration, '-o', $publish, '--nologo', '-v', 'quiet', "-p:Version=$Version",
        '-r', 'linux-x64', '--self-contained', 'false', '-p:PublishReadyToRun=true')

    if (Test-Path $ModuleOut) { Remove-Item $ModuleOut -Recurse -Force }
    New-Item -ItemType Directory -Path $ModuleOut -Force | Out-Null
    # The module's own assemblies and its dependencies (never PowerShell's own, which PowerShell provides).
    Get-ChildItem $publish -File | Where-Object { $_.Extension -in '.dll', '.pdb', '.xml' -and $_.Name -notlike 'System.Management.Automation*' } |
        Copy-Item -Destination $ModuleOut
    Copy-Item (Join-Path $Root "$ModuleName.psd1") $ModuleOut
    Copy-Item (Join-Path $Root 'module/*') $ModuleOut -Recurse

    Write-Step 'Help (MAML from src/DockerHostTools/Help)'
    $pwsh = Get-PwshCommand
    & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -File (Join-Path $Root 'src/DockerHostTools/Help/New-MamlHelp.ps1') `
        -ModulePath (Join-Path $ModuleOut "$ModuleName.psd1") -SourcePath (Join-Path $Root 'src/DockerHostTools/Help') `
        -OutFile (Join-Path $ModuleOut "en-US/$ModuleName.dll-Help.xml")
    if ($LASTEXITCODE -ne 0) { throw 'Help generation failed.' }
    Write-Host "Module assembled in $ModuleOut"
}

function Get-TrxCounts([string] $Path) {
    [xml] $trx = Get-Content $Path -Raw
    $c = $trx.TestRun.ResultSummary.Counters
    [pscustomobject]@{ Passed = [int]$c.passed; Failed = [int]$c.failed + [int]$c.error + [int]$c.timeout; Skipped = [int]$c.notExecuted }
}

function Invoke-PesterRun([string] $Name, [string[]] $IncludeTag, [string[]] $ExcludeTag) {
    $pester = Get-PesterPath
    $resultFile = Join-Path $ResultsDir "pester-$Name.xml"
    $countsFile = Join-Path $ResultsDir "pester-$Name.json"
    Remove-Item $countsFile -ErrorAction Ignore
    $pwsh = Get-PwshCommand
    # Tags go to the child as one comma-joined argument each (an empty array would leave the parameter without a value).
    $tagArgs = @()
    if ($IncludeTag) { $tagArgs += '-IncludeTag', ($IncludeTag -join ',') }
    if ($ExcludeTag) { $tagArgs += '-ExcludeTag', ($ExcludeTag -join ',') }
    & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -File (Join-Path $Root 'tests/Invoke-PesterRun.ps1') `
        -PesterPath $pester -ModulePath (Join-Path $ModuleOut "$ModuleName.psd1") -TestPath (Join-Path $Root 'tests') `
        @tagArgs -ResultFile $resultFile -CountsFile $countsFile | Out-Host
    if (-not (Test-Path $countsFile)) {
        Write-Warning "Pester ($Name) ended without results (exit $LASTEXITCODE)."
        return [pscustomobject]@{ Passed = 0; Failed = 1; Skipped = 0 }
    }
    Get-Content $countsFile -Raw | ConvertFrom-Json
}

function Invoke-Test {
    New-Item -ItemType Directory -Path $ResultsDir -Force | Out-Null
    $totals = [ordered]@{ Passed = 0; Failed = 0; Skipped = 0 }
    $add = { param($c, $what) $totals.Passed += $c.Passed; $totals.Failed += $c.Failed; $totals.Skipped += $c.Skipped
        Write-Host ("{0}: {1} passed, {2} failed, {3} skipped" -f $what, $c.Passed, $c.Failed, $c.Skipped) }

    if (-not $Tag) {
        Write-Step 'Core unit tests (xunit)'
        $trx = Join-Path $ResultsDir 'core.trx'
        Remove-Item $trx -ErrorAction Ignore
        & dotnet test (Join-Path $Root 'tests/DockerHostTools.Core.Tests/DockerHostTools.Core.Tests.csproj') -c $Configuration --nologo `
            --logger "trx;LogFileName=$trx" --logger 'console;verbosity=minimal' | Out-Host
        if (Test-Path $trx) { & $add (Get-TrxCounts $trx) 'Core' }
        else { & $add ([pscustomobject]@{ Passed = 0; Failed = 1; Skipped = 0 }) 'Core (no results: build failed?)' }
    }

    $isRoot = (& id -u) -eq '0'
    Write-Step 'Module tests (Pester, child pwsh, assembled module)'
    $include = if ($Tag) { $Tag | Where-Object { $_ -ne 'Lab' } } else { @() }
    if (-not $Tag -or $include) {
        & $add (Invoke-PesterRun 'module' $include @('Lab')) 'Pester'
    }

    if ((-not $Tag -or $Tag -contains 'Lab') -and -not $NoLab) {
        if ($isRoot) {
            Write-Step 'Lab tests (Pester, real programs in namespaces; root)'
            & $add (Invoke-PesterRun 'lab' @('Lab') @()) 'Lab'
        }
        else {
            Write-Warning 'Lab tests skipped: they need root (CI runs them).'
        }
    }

    Write-Host ''
    Write-Host ("{0} passed, {1} failed" -f $totals.Passed, $totals.Failed)
    if ($totals.Failed -gt 0) { exit 1 }
}

function Invoke-Bench {
    $pwsh = Get-PwshCommand
    $failed = 0
    foreach ($bench in Get-ChildItem (Join-Path $Root 'tests/bench') -Filter '*.Bench.ps1' | Sort-Object Name) {
        Write-Step "Bench $($bench.BaseName)"
        & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -File $bench.FullName -ModulePath (Join-Path $ModuleOut "$ModuleName.psd1")
        if ($LASTEXITCODE -ne 0) { $failed++; Write-Warning "$($bench.Name) failed ($LASTEXITCODE)" }
    }
    if ($failed) { exit 1 }
}

function Invoke-Run {
    $pwsh = Get-PwshCommand
    & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -File (Join-Path $Root 'tests/Invoke-MainJob.ps1') -ModulePath (Join-Path $ModuleOut "$ModuleName.psd1")
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
}

function Invoke-Clean {
    Remove-Item $OutputRoot -Recurse -Force -ErrorAction Ignore
    Get-ChildItem $Root -Directory -Recurse -Include bin, obj | Remove-Item -Recurse -Force -ErrorAction Ignore
}

foreach ($t in $Task) {
    switch ($t) {
        'Clean' { Invoke-Clean }
        'Build' { Invoke-Build }
        'Test' { if ($Task -notcontains 'Build') { Invoke-Build }; Invoke-Test }
        'Bench' { if ($Task -notcontains 'Build') { Invoke-Build }; Invoke-Bench }
        'Run' { if ($Task -notcontains 'Build') { Invoke-Build }; Invoke-Run }
    }
}
