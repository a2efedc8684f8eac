#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Builds, tests, benchmarks and runs DockerHostTools.
.DESCRIPTION
    Tasks:
      Build    compile (ReadyToRun, linux-x64), assemble output/DockerHostTools/<version>/ (DLLs, manifest, module/ files, MAML help)
      Test     core unit tests (xunit), then Pester in a child pwsh against the assembled module, then the lab
               tests. As root it first installs the lab packages (tests/lab/install-host-packages.sh, idempotent)
               and the last line is "N passed, N failed"; as another user the lab tests are not run and the last
               lines say how many and the one command that runs them. Exits non-zero on any failure
      Package  output/package/DockerHostTools.<version>.nupkg, made with PSResourceGet (Publish-PSResource to a
               local folder repository); install it with Install-PSResource -Repository (see README)
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
    [ValidateSet('Build', 'Test', 'Package', 'Bench', 'Run', 'Clean')]
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

# ---- the project's home: the manifest's ProjectUri and LicenseUri and every command's HelpUri come from it -----------
$ProjectUri = 'https://github.com/dockerhosttools/DockerHostTools'

$ModuleName = 'DockerHostTools'
$Root = $PSScriptRoot
$Manifest = Import-PowerShellDataFile (Join-Path $Root "$ModuleName.psd1")
$Version = $Manifest.ModuleVersion
$OutputRoot = Join-Path $Root 'output'
$ModuleOut = Join-Path $OutputRoot $ModuleName $Version
$ResultsDir = Join-Path $OutputRoot 'TestResults'
$PackageDir = Join-Path $OutputRoot 'package'
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

function Assert-ProjectUri {
    # A Cmdlet attribute's HelpUri must be a compile-time constant, so ProjectInfo.cs keeps a copy of $ProjectUri.
    $file = Join-Path $Root "src/$ModuleName/ProjectInfo.cs"
    $m = [regex]::Match((Get-Content $file -Raw), 'const string ProjectUri = "([^"]*)"')
    if (-not $m.Success -or $m.Groups[1].Value -ne $ProjectUri) {
        throw "ProjectUri in $file ('$($m.Groups[1].Value)') differs from `$ProjectUri in build.ps1 ('$ProjectUri'): make them equal."
    }
}

function Get-ReleaseNotes {
    # This version's section of CHANGELOG.md ("## <version>" up to the next "## "); a version without one stops the build.
    $text = Get-Content (Join-Path $Root 'CHANGELOG.md') -Raw
    $m = [regex]::Match($text, '(?ms)^## ' + [regex]::Escape($Version) + '[ \t]*\r?\n(.*?)(?=^## |\z)')
    if (-not $m.Success -or -not $m.Groups[1].Value.Trim()) { throw "CHANGELOG.md has no section '## $Version'." }
    $m.Groups[1].Value.Trim()
}

function Write-OutputManifest([string] $Destination) {
    # The source manifest plus ProjectUri, LicenseUri and ReleaseNotes, made here so that each lives in one place.
    $notes = Get-ReleaseNotes
    if ($notes -match "(?m)^'@") { throw "CHANGELOG.md: a line of the $Version section starts with '@." }
    $insert = @(
        "            ProjectUri   = '$ProjectUri'"
        "            LicenseUri   = '$ProjectUri/blob/main/LICENSE'"
        "            ReleaseNotes = @'"
        $notes
        "'@"
    ) -join "`n"
    $text = Get-Content (Join-Path $Root "$ModuleName.psd1") -Raw
    $pattern = '(?m)^([ \t]*PSData[ \t]*=[ \t]*@\{[ \t]*)$'
    if ($text -notmatch $pattern) { throw "$ModuleName.psd1 has no 'PSData = @{' line." }
    $text = ([regex] $pattern).Replace($text, "`$1`n$($insert.Replace('$', '$$'))", 1)
    Set-Content -Path $Destination -Value $text -NoNewline -Encoding utf8NoBOM
    $data = Import-PowerShellDataFile $Destination
    if ($data.PrivateData.PSData.ProjectUri -ne $ProjectUri) { throw "The assembled manifest's ProjectUri is wrong." }
}

function Invoke-Build {
    Write-Step "Build $ModuleName $Version ($Configuration)"
    Assert-ProjectUri
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
    Write-OutputManifest (Join-Path $ModuleOut "$ModuleName.psd1")
    Copy-Item (Join-Path $Root 'LICENSE') $ModuleOut
    Copy-Item (Join-Path $Root 'module/*') $ModuleOut -Recurse

    Write-Step 'Help (MAML in the module, markdown in docs/, both from src/DockerHostTools/Help and the cmdlets)'
    $pwsh = Get-PwshCommand
    & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -File (Join-Path $Root 'src/DockerHostTools/Help/New-MamlHelp.ps1') `
        -ModulePath (Join-Path $ModuleOut "$ModuleName.psd1") -SourcePath (Join-Path $Root 'src/DockerHostTools/Help') `
        -OutFile (Join-Path $ModuleOut "en-US/$ModuleName.dll-Help.xml") -DocsPath (Join-Path $Root 'docs')
    if ($LASTEXITCODE -ne 0) { throw 'Help generation failed.' }
    Write-Host "Module assembled in $ModuleOut"
}

function Get-TrxCounts([string] $Path) {
    [xml] $trx = Get-Content $Path -Raw
    $c = $trx.TestRun.ResultSummary.Counters
    [pscustomobject]@{ Passed = [int]$c.passed; Failed = [int]$c.failed + [int]$c.error + [int]$c.timeout; Skipped = [int]$c.notExecuted }
}

function Invoke-PesterRun([string] $Name, [string[]] $IncludeTag, [string[]] $ExcludeTag, [switch] $DiscoverOnly) {
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
        @tagArgs -ResultFile $resultFile -CountsFile $countsFile @(if ($DiscoverOnly) { '-DiscoverOnly' }) | Out-Host
    if (-not (Test-Path $countsFile)) {
        Write-Warning "Pester ($Name) ended without results (exit $LASTEXITCODE)."
        return [pscustomobject]@{ Passed = 0; Failed = 1; Skipped = 0 }
    }
    Get-Content $countsFile -Raw | ConvertFrom-Json
}

function Get-LabCommand {
    # The one command that runs the lab tests as root from this folder (sudo resets PATH and HOME, hence the full
    # dotnet path and the tool restore for root's own NuGet folder).
    $dotnet = (Get-Command dotnet -CommandType Application -ErrorAction Ignore | Select-Object -First 1).Source
    if (-not $dotnet) { $dotnet = 'dotnet' }
    $inner = "cd '$($Root -replace "'", "'\''")' && $dotnet tool restore && $dotnet pwsh ./build.ps1 Test -Tag Lab"
    "sudo sh -c `"$inner`""
}

function Invoke-Test {
    New-Item -ItemType Directory -Path $ResultsDir -Force | Out-Null
    $totals = [ordered]@{ Passed = 0; Failed = 0; Skipped = 0 }
    $add = { param($c, $what) $totals.Passed += $c.Passed; $totals.Failed += $c.Failed; $totals.Skipped += $c.Skipped
        Write-Host ("{0}: {1} passed, {2} failed, {3} skipped" -f $what, $c.Passed, $c.Failed, $c.Skipped) }
    $isRoot = (& id -u) -eq '0'
    $wantLab = (-not $Tag -or $Tag -contains 'Lab') -and -not $NoLab
    $env:DHT_PACKAGE_DIR = $PackageDir   # for tests/Package.Tests.ps1

    if ($wantLab -and $isRoot) {
        # The same idempotent script .ci/run relies on: installs only what is missing (apt-get update first then),
        # and no package script may start a daemon in this machine's namespaces.
        Write-Step 'Lab packages (tests/lab/install-host-packages.sh)'
        & bash (Join-Path $Root 'tests/lab/install-host-packages.sh') | Out-Host
        if ($LASTEXITCODE -ne 0) { throw "tests/lab/install-host-packages.sh failed ($LASTEXITCODE): the lab tests cannot run." }
    }

    if (-not $Tag) {
        Write-Step 'Core unit tests (xunit)'
        $trx = Join-Path $ResultsDir 'core.trx'
        Remove-Item $trx -ErrorAction Ignore
        & dotnet test (Join-Path $Root 'tests/DockerHostTools.Core.Tests/DockerHostTools.Core.Tests.csproj') -c $Configuration --nologo `
            --logger "trx;LogFileName=$trx" --logger 'console;verbosity=minimal' | Out-Host
        if (Test-Path $trx) { & $add (Get-TrxCounts $trx) 'Core' }
        else { & $add ([pscustomobject]@{ Passed = 0; Failed = 1; Skipped = 0 }) 'Core (no results: build failed?)' }
    }

    Write-Step 'Module tests (Pester, child pwsh, assembled module)'
    $include = if ($Tag) { $Tag | Where-Object { $_ -ne 'Lab' } } else { @() }
    if (-not $Tag -or $include) {
        & $add (Invoke-PesterRun 'module' $include @('Lab')) 'Pester'
    }

    $labNotRun = 0
    if ($wantLab) {
        if ($isRoot) {
            Write-Step 'Lab tests (Pester, real programs in namespaces; root)'
            & $add (Invoke-PesterRun 'lab' @('Lab') @()) 'Lab'
        }
        else {
            Write-Step 'Lab tests: not run, they need root (counting them)'
            $counts = Invoke-PesterRun 'lab' @('Lab') @() -DiscoverOnly
            if ($counts.PSObject.Properties['NotRun']) { $labNotRun = $counts.NotRun } else { & $add $counts 'Lab (discovery failed)' }
        }
    }

    Write-Host ''
    Write-Host ("{0} passed, {1} failed" -f $totals.Passed, $totals.Failed)
    if ($labNotRun) {
        Write-Host ("{0} lab tests not run: they need root (network namespaces, firewalld, dockerd). To run them:" -f $labNotRun)
        Write-Host "  $(Get-LabCommand)"
    }
    if ($totals.Failed -gt 0) { exit 1 }
}

function Invoke-Package {
    # Publish-PSResource into a local folder repository (a folder of nupkgs), in a child pwsh whose HOME is a scratch
    # folder: registering the repository must not touch the user's own PSResourceGet settings.
    Write-Step "Package $ModuleName $Version (PSResourceGet, local folder repository $PackageDir)"
    if (Test-Path $PackageDir) { Remove-Item $PackageDir -Recurse -Force }
    New-Item -ItemType Directory -Path $PackageDir -Force | Out-Null
    $scratch = Join-Path ([IO.Path]::GetTempPath()) "dht-package-$([guid]::NewGuid().ToString('n'))"
    New-Item -ItemType Directory -Path $scratch | Out-Null
    $script = @'
$ErrorActionPreference = 'Stop'
Register-PSResourceRepository -Name DockerHostToolsBuild -Uri $env:DHT_PACKAGE_DIR -Trusted
Publish-PSResource -Path $env:DHT_MODULE_DIR -Repository DockerHostToolsBuild
'@
    $saved = @{ HOME = $env:HOME; DHT_PACKAGE_DIR = $env:DHT_PACKAGE_DIR; DHT_MODULE_DIR = $env:DHT_MODULE_DIR }
    try {
        $env:HOME = $scratch; $env:DHT_PACKAGE_DIR = $PackageDir; $env:DHT_MODULE_DIR = $ModuleOut
        Push-Location $scratch   # NuGet may write NuGet/NuGet.Config into the working folder
        $pwsh = Get-PwshCommand
        & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -Command $script
        if ($LASTEXITCODE -ne 0) { throw "Publish-PSResource failed ($LASTEXITCODE)." }
    }
    finally {
        Pop-Location
        foreach ($k in $saved.Keys) { if ($null -ne $saved[$k]) { Set-Item "env:$k" $saved[$k] } else { Remove-Item "env:$k" -ErrorAction Ignore } }
        Remove-Item $scratch -Recurse -Force -ErrorAction Ignore
    }
    $nupkg = Join-Path $PackageDir "$ModuleName.$Version.nupkg"
    if (-not (Test-Path $nupkg)) { throw "Publish-PSResource wrote no $nupkg." }
    Write-Host "Package: $nupkg"
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
        'Test' { if ($Task -notcontains 'Build') { Invoke-Build }; if ($Task -notcontains 'Package') { Invoke-Package }; Invoke-Test }
        'Package' { if ($Task -notcontains 'Build') { Invoke-Build }; Invoke-Package }
        'Bench' { if ($Task -notcontains 'Build') { Invoke-Build }; Invoke-Bench }
        'Run' { if ($Task -notcontains 'Build') { Invoke-Build }; Invoke-Run }
    }
}
