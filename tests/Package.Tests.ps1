# The package users install: build.ps1 Package's nupkg, installed with PSResourceGet into a scratch $HOME (a child pwsh
# whose HOME is a temporary folder), imported by name. No root, no lab. build.ps1 Test makes the package first.
BeforeAll {
    $script:packageDir = if ($env:DHT_PACKAGE_DIR) { $env:DHT_PACKAGE_DIR }
    else { Join-Path (Split-Path (Split-Path (Split-Path $env:DHT_MODULE_PATH))) 'package' }
    $script:manifest = Import-PowerShellDataFile $env:DHT_MODULE_PATH
    $script:version = $manifest.ModuleVersion

    function script:Invoke-PwshWithHome([string] $HomeDir, [string] $Command) {
        # A child pwsh (the one running the tests) with HOME elsewhere and no inherited module path, so only what is
        # installed under that HOME (and pwsh's own modules) can be imported by name.
        $pwsh = @([Environment]::ProcessPath)
        $dll = [Environment]::GetCommandLineArgs()[0]
        if ($dll -like '*.dll') { $pwsh += $dll }
        $saved = @{ HOME = $env:HOME; PSModulePath = $env:PSModulePath; XDG_DATA_HOME = $env:XDG_DATA_HOME; XDG_CONFIG_HOME = $env:XDG_CONFIG_HOME; XDG_CACHE_HOME = $env:XDG_CACHE_HOME }
        try {
            $env:HOME = $HomeDir
            Push-Location $HomeDir   # NuGet may write NuGet/NuGet.Config into the working folder
            Remove-Item env:PSModulePath, env:XDG_DATA_HOME, env:XDG_CONFIG_HOME, env:XDG_CACHE_HOME -ErrorAction Ignore
            $out = & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -Command $Command 2>&1
            [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = @($out | ForEach-Object { "$_" }) }
        }
        finally {
            Pop-Location
            foreach ($k in $saved.Keys) { if ($null -ne $saved[$k]) { Set-Item "env:$k" $saved[$k] } else { Remove-Item "env:$k" -ErrorAction Ignore } }
        }
    }
}

Describe 'build.ps1 Package' -Tag 'Package' {
    BeforeAll {
        $script:nupkg = Join-Path $packageDir "DockerHostTools.$version.nupkg"
        $script:scratch = Join-Path ([IO.Path]::GetTempPath()) "dht-install-$([guid]::NewGuid().ToString('n'))"
        New-Item -ItemType Directory -Path $scratch | Out-Null
    }
    AfterAll { Remove-Item $scratch -Recurse -Force -ErrorAction Ignore }

    It 'made a versioned nupkg with the manifest''s metadata' {
        $nupkg | Should -Exist -Because 'build.ps1 Test and Package make it'
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $zip = [IO.Compression.ZipFile]::OpenRead($nupkg)
        try {
            $reader = [IO.StreamReader]::new($zip.GetEntry('DockerHostTools.nuspec').Open())
            [xml] $nuspec = $reader.ReadToEnd(); $reader.Dispose()
            $names = $zip.Entries.FullName
        }
        finally { $zip.Dispose() }
        $m = $nuspec.package.metadata
        $m.version | Should -Be $version
        $m.projectUrl | Should -Be $manifest.PrivateData.PSData.ProjectUri
        $m.licenseUrl | Should -Be "$($manifest.PrivateData.PSData.ProjectUri)/blob/main/LICENSE"
        $m.releaseNotes | Should -Not -BeNullOrEmpty
        $names | Should -Contain 'DockerHostTools.psd1'
        $names | Should -Contain 'DockerHostTools.dll'
        $names | Should -Contain 'LICENSE'
        $names | Should -Contain 'en-US/DockerHostTools.dll-Help.xml'
    }

    It 'installs with Install-PSResource -Repository into a scratch HOME and imports by name' {
        $command = @"
`$ErrorActionPreference = 'Stop'
Register-PSResourceRepository -Name DhtTest -Uri '$packageDir' -Trusted
Install-PSResource -Name DockerHostTools -Repository DhtTest -Scope CurrentUser -TrustRepository -Quiet
Import-Module DockerHostTools
`$m = Get-Module DockerHostTools
"path=`$(`$m.Path)"
"version=`$(`$m.Version)"
`$f = Get-IpForward
"family=`$(`$f.Family)"
"status=`$(`$f.Status)"
"@
        $r = Invoke-PwshWithHome $scratch $command
        $r.ExitCode | Should -Be 0 -Because ($r.Output -join "`n")
        $r.Output | Should -Contain "version=$version"
        $r.Output | Should -Contain 'family=IPv4'
        ($r.Output | Where-Object { $_ -like 'path=*' }) | Should -BeLike "path=$scratch/*/DockerHostTools/$version/DockerHostTools.dll"
        ($r.Output | Where-Object { $_ -like 'status=*' }) | Should -Not -Be 'status='
    }
}
