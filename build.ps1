#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Builds, tests, benchmarks and runs DockerHostTools.
.DESCRIPTION
    Tasks:
      Build    compile (ReadyToRun, linux-x64), assemble output/DockerHostTools/<version>/ (DLLs, manifest, module/ files, MAML help)
      Test     core unit tests (xunit), a fuzz smoke (each parser's captured outputs replayed, then 3 s of afl-fuzz
               on every parser at once; afl++ installed as root, the targets counted as not run for another user without it; -Tag Fuzz
               runs it alone), then Pester in a child pwsh against the assembled module, then the lab
               tests (the namespace labs beside the machine labs; -LabJobs 1 runs them in turn). As root it first installs the lab packages (tests/lab/install-host-packages.sh, idempotent)
               and the last line is "N passed, N failed"; as another user the lab tests are not run and the last
               lines say how many and the one command that runs them. Exits non-zero on any failure
      Package  output/package/DockerHostTools.<version>.nupkg, made with PSResourceGet (Publish-PSResource to a
               local folder repository); install it with Install-PSResource -Repository (see README)
      Bench  benchmarks that print ratios measured in one run
      Fuzz   each parser under afl-fuzz (AFL++ from Debian's afl++, installed when missing, as root) with SharpFuzz
             instrumentation, seeded with the captured fixtures, for -FuzzSeconds each (-FuzzTarget picks some);
             prints executions, seconds and crashes per target, replays every crash and hang on an uninstrumented
             build, and exits non-zero when one reproduces. Work folder: output/fuzz/
      Run    the main job
      Clean  remove output/ and bin/obj folders
    Use it through the repo's own pwsh:  dotnet tool restore && dotnet pwsh ./build.ps1 Test
.EXAMPLE
    dotnet pwsh ./build.ps1 Build, Test
#>
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('Build', 'Test', 'Package', 'Bench', 'Run', 'Clean', 'Fuzz')]
    [string[]] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # Pester tags to run (Test task); by default every tag, Lab ones only as root.
    [string[]] $Tag,

    # Skip the lab tests even as root.
    [switch] $NoLab,

    # Fuzz task: seconds of fuzzing per target (after afl-fuzz's calibration of the seeds).
    [ValidateRange(1, 86400)]
    [int] $FuzzSeconds = 60,

    # Fuzz task: the targets to run (default all; `dotnet output/fuzz/plain/DockerHostTools.Fuzz.dll list` names them).
    [string[]] $FuzzTarget,

    # Test task, as root: how many lab groups run at once (2: the namespace labs beside the machine labs; 1: in turn).
    [ValidateRange(1, 2)]
    [int] $LabJobs = 2
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$Tag = @($Tag | ForEach-Object { $_ -split ',' } | Where-Object { $_ })

# ---- pinned tool versions: the one place they live --------------------------------------------
$PesterVersion = '5.7.1'

# ---- the project's home: the manifest's ProjectUri and LicenseUri and every command's HelpUri come from it -----------
$ProjectUri = 'https://github.com/dockerhosttools/DockerHostTools'

$ModuleName = 'DockerHostTools'
# Lab test files that use only network namespaces of their own (no nspawn machine, no dockerd lab): they may run beside
# the machine labs. A new lab file runs with the machine labs unless it is listed here.
$NamespaceLabFiles = @('Firewalld.Lab.Tests.ps1', 'Fault.Lab.Tests.ps1', 'IpForward.Tests.ps1', 'Registry.Lab.Tests.ps1', 'Diagnosis.Tests.ps1')
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
    $failed = @($trx.TestRun.Results.UnitTestResult | Where-Object { $_.outcome -ne 'Passed' -and $_.outcome -ne 'NotExecuted' } |
        ForEach-Object { $_.testName })
    [pscustomobject]@{ Passed = [int]$c.passed; Failed = [int]$c.failed + [int]$c.error + [int]$c.timeout; Skipped = [int]$c.notExecuted; FailedTests = $failed }
}

function Invoke-PesterRun([string] $Name, [string[]] $IncludeTag, [string[]] $ExcludeTag, [switch] $DiscoverOnly,
    [string[]] $TestPath = @(Join-Path $Root 'tests'), [string[]] $ExcludePath = @(), [string] $LogFile) {
    # -LogFile: run the child in the background (a thread job) with its output in that file and return the run;
    # Complete-PesterRun waits for it, prints the log and reads the counts.
    $pester = Get-PesterPath
    $resultFile = Join-Path $ResultsDir "pester-$Name.xml"
    $countsFile = Join-Path $ResultsDir "pester-$Name.json"
    Remove-Item $countsFile -ErrorAction Ignore
    $pwsh = Get-PwshCommand
    # Tags and paths go to the child as one comma-joined argument each (an empty array would leave the parameter
    # without a value).
    $childArgs = @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', (Join-Path $Root 'tests/Invoke-PesterRun.ps1'),
        '-PesterPath', $pester, '-ModulePath', (Join-Path $ModuleOut "$ModuleName.psd1"), '-TestPath', ($TestPath -join ','))
    if ($ExcludePath) { $childArgs += '-ExcludePath', ($ExcludePath -join ',') }
    if ($IncludeTag) { $childArgs += '-IncludeTag', ($IncludeTag -join ',') }
    if ($ExcludeTag) { $childArgs += '-ExcludeTag', ($ExcludeTag -join ',') }
    $childArgs += '-ResultFile', $resultFile, '-CountsFile', $countsFile
    if ($DiscoverOnly) { $childArgs += '-DiscoverOnly' }
    if ($LogFile) {
        $job = Start-ThreadJob -ArgumentList $pwsh[0], $childArgs, $LogFile {
            param($exe, $argv, $log)
            & $exe @argv > $log 2>&1
        }
        return [pscustomobject]@{ Name = $Name; Job = $job; LogFile = $LogFile; CountsFile = $countsFile }
    }
    $log = Join-Path $ResultsDir "pester-$Name.log"
    & $pwsh[0] @childArgs | Tee-Object -FilePath $log | Out-Host
    Read-PesterCounts $Name $countsFile $log $LASTEXITCODE
}

function Read-PesterCounts([string] $Name, [string] $CountsFile, [string] $LogFile, $ExitCode) {
    if (-not (Test-Path $CountsFile)) {
        # The child died (or never started): say where, from its own output, so that the end of the run names it.
        $lines = @(if ($LogFile -and (Test-Path $LogFile)) { Get-Content $LogFile | ForEach-Object { $_ -replace '\e\[[0-9;]*m', '' } })
        $file = $lines | Where-Object { $_ -match '^Running tests from ' } | Select-Object -Last 1
        $test = $lines | Where-Object { $_ -match '^\s*\[[+!-]\] ' } | Select-Object -Last 1
        $crash = $lines | Where-Object { $_ -match 'Unhandled exception|not properly handled|^\s*at ' } | Select-Object -First 4
        $why = "Pester ($Name) ended without results (exit $ExitCode); last file: $file; last test: $($test.Trim())"
        if ($crash) { $why += '; ' + (($crash | ForEach-Object { $_.Trim() }) -join ' | ') }
        Write-Warning $why
        return [pscustomobject]@{ Passed = 0; Failed = 1; Skipped = 0; FailedTests = @($why) }
    }
    Get-Content $CountsFile -Raw | ConvertFrom-Json
}

function Complete-PesterRun($Run) {
    $null = $Run.Job | Wait-Job
    $Run.Job | Receive-Job -ErrorAction Continue | Out-Host
    $Run.Job | Remove-Job
    Write-Host "---- $($Run.Name) (ran beside the machine labs; its output follows) ----"
    Get-Content $Run.LogFile | Out-Host
    Read-PesterCounts $Run.Name $Run.CountsFile $Run.LogFile 'unknown (a background child)'
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
    $failures = [System.Collections.Generic.List[string]]::new()
    $add = { param($c, $what) $totals.Passed += $c.Passed; $totals.Failed += $c.Failed; $totals.Skipped += $c.Skipped
        Write-Host ("{0}: {1} passed, {2} failed, {3} skipped" -f $what, $c.Passed, $c.Failed, $c.Skipped)
        if ($c.PSObject.Properties['FailedTests']) { foreach ($f in @($c.FailedTests)) { if ($f) { $failures.Add("${what}: $f") } } } }
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

    $fuzzNotRun = 0
    if (-not $Tag -or $Tag -contains 'Fuzz') {
        Write-Step 'Fuzz smoke (every parser: its captured outputs replayed, then 3 s of afl-fuzz, all targets at once)'
        $fuzz = Invoke-FuzzSmoke
        if ($fuzz.NotRun) { $fuzzNotRun = $fuzz.NotRun; Write-Host "Fuzz smoke: not run ($fuzzNotRun targets): afl-fuzz is missing and installing it needs root." }
        else { & $add $fuzz 'Fuzz smoke' }
    }

    Write-Step 'Module tests (Pester, child pwsh, assembled module)'
    $include = if ($Tag) { $Tag | Where-Object { $_ -notin 'Lab', 'Fuzz' } } else { @() }
    if (-not $Tag -or $include) {
        & $add (Invoke-PesterRun 'module' $include @('Lab')) 'Pester'
    }

    $labNotRun = 0
    if ($wantLab) {
        if ($isRoot) {
            # Two groups side by side (2 cores; most of a lab test is waiting on daemons): the namespace labs, whose
            # names and addresses are their own (prefixes ft, ip, rg, wa, the firewalld lab's), in the background, and
            # the machine labs (nspawn Docker hosts, the dockerd namespace lab) in the foreground. -LabJobs 1 runs
            # them one after the other.
            $nsFiles = @($NamespaceLabFiles | ForEach-Object { Join-Path $Root "tests/$_" })
            if ($LabJobs -gt 1) {
                Write-Step "Lab tests (Pester, real programs in namespaces; root): namespace labs beside machine labs"
                $bg = Invoke-PesterRun 'lab-namespaces' @('Lab') @() -TestPath $nsFiles -LogFile (Join-Path $ResultsDir 'pester-lab-namespaces.log')
                try { $machines = Invoke-PesterRun 'lab' @('Lab') @() -ExcludePath $nsFiles }
                finally { $ns = Complete-PesterRun $bg }
                & $add $machines 'Lab (machines)'
                & $add $ns 'Lab (namespaces)'
            }
            else {
                Write-Step 'Lab tests (Pester, real programs in namespaces; root)'
                & $add (Invoke-PesterRun 'lab' @('Lab') @()) 'Lab'
            }
        }
        else {
            Write-Step 'Lab tests: not run, they need root (counting them)'
            $counts = Invoke-PesterRun 'lab' @('Lab') @() -DiscoverOnly
            if ($counts.PSObject.Properties['NotRun']) { $labNotRun = $counts.NotRun } else { & $add $counts 'Lab (discovery failed)' }
        }
    }

    Write-Host ''
    if ($failures.Count) {
        Write-Host 'Failed:'
        $failures | Select-Object -First 40 | ForEach-Object { Write-Host "  $_" }
    }
    Write-Host ("{0} passed, {1} failed" -f $totals.Passed, $totals.Failed)
    if ($labNotRun) {
        Write-Host ("{0} lab tests not run: they need root (network namespaces, firewalld, dockerd). To run them:" -f $labNotRun)
        Write-Host "  $(Get-LabCommand)"
    }
    if ($fuzzNotRun) {
        Write-Host ("{0} fuzz smoke targets not run: afl-fuzz is missing (Debian's afl++). Install it (sudo apt-get install afl++) or run the Test task as root." -f $fuzzNotRun)
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

function Install-Afl {
    # AFL++ from Debian's afl++ package (4.04c on bookworm); idempotent: nothing happens when afl-fuzz is there.
    if (Get-Command afl-fuzz -CommandType Application -ErrorAction Ignore) { return }
    if ((& id -u) -ne '0') { throw "afl-fuzz is missing: install Debian's afl++ package (sudo apt-get install afl++) or run the Fuzz task as root." }
    Write-Step "Installing AFL++ (Debian package afl++)"
    $apt = @('-o', 'DPkg::Lock::Timeout=900', '-q')
    $env:DEBIAN_FRONTEND = 'noninteractive'
    Invoke-Native apt-get ($apt + 'update')
    Invoke-Native apt-get ($apt + @('install', '-y', '--no-install-recommends', 'afl++'))
}

function Publish-FuzzDriver([string] $FuzzRoot) {
    # The fuzz project twice: plain (seeds, replays: instrumented code needs afl-fuzz's shared memory) and afl, the same
    # build whose DockerHostTools.Core.dll the sharpfuzz tool (pinned in .config/dotnet-tools.json) has instrumented.
    $project = Join-Path $Root 'tests/DockerHostTools.Fuzz/DockerHostTools.Fuzz.csproj'
    $plain = Join-Path $FuzzRoot 'plain'
    $afl = Join-Path $FuzzRoot 'afl'
    foreach ($d in $plain, $afl) { if (Test-Path $d) { Remove-Item $d -Recurse -Force } }
    Invoke-Native dotnet @('tool', 'restore') | Out-Null
    Invoke-Native dotnet @('publish', $project, '-c', 'Release', '-o', $plain, '--nologo', '-v', 'quiet') | Out-Host
    Copy-Item $plain $afl -Recurse
    Invoke-Native dotnet @('tool', 'run', 'sharpfuzz', (Join-Path $afl 'DockerHostTools.Core.dll')) | Out-Host
    [pscustomobject]@{ Plain = (Join-Path $plain 'DockerHostTools.Fuzz.dll'); Afl = (Join-Path $afl 'DockerHostTools.Fuzz.dll'); Targets = @(& dotnet (Join-Path $plain 'DockerHostTools.Fuzz.dll') list) }
}

$AflEnv = @{ AFL_SKIP_BIN_CHECK = '1'; AFL_NO_UI = '1'; AFL_SKIP_CPUFREQ = '1'; AFL_NO_AFFINITY = '1'; AFL_FAST_CAL = '1'
    AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES = '1'; AFL_NO_WARN_INSTABILITY = '1' }

function Start-FuzzTarget {
    <#
        Starts one target under afl-fuzz for $Seconds (after its calibration of the seeds; -MaxSeeds keeps the first N
        seeds, for the smoke), on a non-instrumented dotnet host (SharpFuzz runs the fork server). Complete-FuzzTarget
        waits for it and reads its figures.
    #>
    param([string] $Target, $Driver, [string] $FuzzRoot, [int] $Seconds, [int] $MaxSeeds = 0, [switch] $Quiet)
    $dir = Join-Path $FuzzRoot $Target
    if (Test-Path $dir) { Remove-Item $dir -Recurse -Force }
    $seeds = Join-Path $dir 'seeds'
    $findings = Join-Path $dir 'findings'
    & dotnet $Driver.Plain seeds $Target (Join-Path $Root 'tests/DockerHostTools.Core.Tests/Fixtures') $seeds | Out-Null
    if ($LASTEXITCODE -ne 0) { throw "Fuzz target ${Target}: no seeds." }
    if ($MaxSeeds -gt 0) {
        # the whole corpus stays in seeds-all (the smoke replays it); afl-fuzz calibrates only the first few
        Copy-Item $seeds (Join-Path $dir 'seeds-all') -Recurse
        Get-ChildItem $seeds -File | Sort-Object Name | Select-Object -Skip $MaxSeeds | Remove-Item
    }
    $log = Join-Path $dir 'afl-fuzz.log'
    if (-not $Quiet) { Write-Step "Fuzz $Target ($Seconds s; log $log)" }
    $aflArgs = @('-i', $seeds, '-o', $findings, '-t', '2000', '-m', 'none', '-V', "$Seconds", '--', 'dotnet', $Driver.Afl, 'run', $Target)
    foreach ($k in $AflEnv.Keys) { Set-Item "env:$k" $AflEnv[$k] }
    try { $p = Start-Process afl-fuzz -ArgumentList $aflArgs -RedirectStandardOutput $log -RedirectStandardError "$log.err" -PassThru }
    finally { foreach ($k in $AflEnv.Keys) { Remove-Item "env:$k" -ErrorAction Ignore } }
    [pscustomobject]@{ Target = $Target; Process = $p; Dir = $dir; Seeds = $seeds; Findings = $findings; Log = $log; Seconds = $Seconds; Driver = $Driver }
}

function Complete-FuzzTarget {
    <# Waits for a Start-FuzzTarget run, then replays every saved crash and hang on the plain build; returns the figures. #>
    param([Parameter(Mandatory)] $Run)
    $t = $Run.Target
    # -V bounds the fuzzing; calibration comes on top, so the guard gives it room and then stops this one process.
    if (-not $Run.Process.WaitForExit(($Run.Seconds + 120) * 1000)) { Stop-Process -Id $Run.Process.Id -Force; Write-Warning "afl-fuzz ($t) overran; stopped." }
    $stats = @{}
    $statsFile = Join-Path $Run.Findings 'default/fuzzer_stats'
    if (Test-Path $statsFile) {
        foreach ($line in Get-Content $statsFile) { if ($line -match '^(\S+)\s*:\s*(.*)$') { $stats[$Matches[1]] = $Matches[2].Trim() } }
    }
    else { Write-Warning "afl-fuzz ($t) wrote no statistics: see $($Run.Log)" }
    $inputs = @('crashes', 'hangs') | ForEach-Object { Get-ChildItem (Join-Path $Run.Findings "default/$_") -Filter 'id:*' -File -ErrorAction Ignore }
    $reproduced = 0
    if ($inputs) {
        # A crash must reproduce without afl-fuzz; a hang is replayed under a bound of its own.
        $replay = Join-Path $Run.Dir 'replay.txt'
        foreach ($i in $inputs) {
            $r = Start-Process dotnet -ArgumentList @($Run.Driver.Plain, 'replay', $t, $i.FullName) -RedirectStandardOutput "$replay.$($i.Name.Substring(0, 9))" -PassThru -NoNewWindow
            if (-not $r.WaitForExit(20000)) { Stop-Process -Id $r.Id -Force; $reproduced++; "HANG (over 20 s) $($i.FullName)" | Add-Content $replay }
            elseif ($r.ExitCode -ne 0) { $reproduced++; Get-Content "$replay.$($i.Name.Substring(0, 9))" | Add-Content $replay }
        }
        Write-Host "  ${t}: $reproduced of $(@($inputs).Count) saved crashes/hangs reproduce: $replay"
    }
    [pscustomobject]@{
        Target     = $t
        Executions = [long]($stats['execs_done'] ?? 0)
        Seconds    = [int]($stats['run_time'] ?? 0)
        Seeds      = @(Get-ChildItem $Run.Seeds -File).Count
        Corpus     = [int]($stats['corpus_count'] ?? 0)
        Crashes    = [int]($stats['saved_crashes'] ?? $stats['unique_crashes'] ?? 0)
        Hangs      = [int]($stats['saved_hangs'] ?? $stats['unique_hangs'] ?? 0)
        Reproduced = $reproduced
        Ran        = $stats.Count -gt 0
    }
}

function Invoke-Fuzz {
    Install-Afl
    $fuzzRoot = Join-Path $OutputRoot 'fuzz'
    Write-Step 'Fuzz: build the targets, instrument DockerHostTools.Core.dll (sharpfuzz)'
    $driver = Publish-FuzzDriver $fuzzRoot
    $all = $driver.Targets
    $targets = if ($FuzzTarget) { @($FuzzTarget | ForEach-Object { $_ -split ',' } | Where-Object { $_ }) } else { $all }
    foreach ($t in $targets) { if ($t -notin $all) { throw "Unknown fuzz target '$t' (targets: $($all -join ', '))." } }
    $rows = foreach ($t in $targets) { Complete-FuzzTarget (Start-FuzzTarget -Target $t -Driver $driver -FuzzRoot $fuzzRoot -Seconds $FuzzSeconds) }
    $rows | Select-Object * -ExcludeProperty Ran | Format-Table -AutoSize | Out-Host
    $rows | Select-Object * -ExcludeProperty Ran | ConvertTo-Json | Set-Content (Join-Path $fuzzRoot 'summary.json')
    $bad = @($rows | Where-Object Reproduced -gt 0)
    Write-Host ("fuzz: {0} targets, {1} executions, {2} crashes or hangs that reproduce" -f @($rows).Count, ($rows | Measure-Object Executions -Sum).Sum, ($rows | Measure-Object Reproduced -Sum).Sum)
    if ($bad) { exit 1 }
}

function Invoke-FuzzSmoke {
    <#
        The Test task's short fuzz run: every target's whole seed corpus replayed on the plain build (a parser that now
        throws on a real captured output fails here), then $SmokeSeconds of afl-fuzz per target on its first seeds (a
        crash or hang that reproduces fails). One test per target in the totals. Needs afl-fuzz: installed as root
        (Debian's afl++); as another user without it, nothing runs and the targets are counted as not run.
    #>
    param([int] $SmokeSeconds = 3, [int] $SmokeSeeds = 6)
    $hasAfl = [bool](Get-Command afl-fuzz -CommandType Application -ErrorAction Ignore)
    if (-not $hasAfl -and (& id -u) -ne '0') {
        $n = @(Select-String -Path (Join-Path $Root 'tests/DockerHostTools.Fuzz/FuzzTargets.cs') -Pattern '^\s*new\("[a-z-]+",').Count
        return [pscustomobject]@{ Passed = 0; Failed = 0; Skipped = 0; NotRun = [math]::Max($n, 1) }
    }
    Install-Afl
    $fuzzRoot = Join-Path $OutputRoot 'fuzz-smoke'
    $watch = [Diagnostics.Stopwatch]::StartNew()
    $driver = Publish-FuzzDriver $fuzzRoot
    $built = $watch.Elapsed.TotalSeconds
    $passed = 0; $failed = 0; $failedTargets = @()
    # All targets at once (each afl-fuzz bounded by -V), so the smoke costs about one target's time.
    $runs = foreach ($t in $driver.Targets) { Start-FuzzTarget -Target $t -Driver $driver -FuzzRoot $fuzzRoot -Seconds $SmokeSeconds -MaxSeeds $SmokeSeeds -Quiet }
    foreach ($run in $runs) {
        $t = $run.Target
        $row = Complete-FuzzTarget $run
        # the whole corpus of real outputs, once each, uninstrumented
        $replay = @(& dotnet $driver.Plain replay $t (Join-Path $fuzzRoot "$t/seeds-all"))
        $ok = $row.Ran -and $row.Reproduced -eq 0 -and $LASTEXITCODE -eq 0
        if ($ok) { $passed++ } else { $failed++; $failedTargets += $t }
        Write-Host ("  [{0}] fuzz {1}: {2} executions in {3} s, {4} crashes, {5} hangs, {6} reproduce; {7}" -f $(if ($ok) { '+' } else { '-' }),
            $t, $row.Executions, $row.Seconds, $row.Crashes, $row.Hangs, $row.Reproduced, ($replay | Select-Object -Last 1))
        if (-not $row.Ran) { Write-Host "    afl-fuzz did not run: see $fuzzRoot/$t/afl-fuzz.log" }
        foreach ($line in $replay | Where-Object { $_ -like 'CRASH *' }) { Write-Host "    $line" }
    }
    Write-Host ("  fuzz smoke: {0} targets in {1:0} s (build and instrumentation {2:0} s)" -f $driver.Targets.Count, $watch.Elapsed.TotalSeconds, $built)
    [pscustomobject]@{ Passed = $passed; Failed = $failed; Skipped = 0; NotRun = 0; FailedTests = @($failedTargets | ForEach-Object { "fuzz $_" }) }
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
        'Fuzz' { Invoke-Fuzz }
    }
}
