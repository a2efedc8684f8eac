# Help against the code: Get-Help must say what Get-Command knows (parameters, types, sets, pipeline binding, aliases,
# wildcards, -WhatIf/-Confirm, HelpUri), docs/ must be what the generator writes, about_ must fit 80 columns. No root.
BeforeDiscovery {
    $manifest = Import-PowerShellDataFile $env:DHT_MODULE_PATH
    $commandCases = @($manifest.CmdletsToExport | ForEach-Object { @{ Name = $_ } })
}

BeforeAll {
    Import-Module $env:DHT_MODULE_PATH -Force
    $script:manifest = Import-PowerShellDataFile $env:DHT_MODULE_PATH
    $script:projectUri = $manifest.PrivateData.PSData.ProjectUri
    $script:common = [System.Management.Automation.Cmdlet]::CommonParameters
    $script:repo = Split-Path $PSScriptRoot
    function script:FullType([type] $t) {
        $u = [Nullable]::GetUnderlyingType($t); if ($u) { $t = $u }
        if ($t.IsArray) { return "$(FullType $t.GetElementType())[]" }
        $t.FullName
    }
}

Describe 'Get-Help <Name> says what Get-Command knows' -Tag 'Help' -ForEach $commandCases {
    BeforeAll {
        $script:help = Get-Help $Name -Full
        $script:command = Get-Command $Name
        $script:params = @($command.Parameters.Values | Where-Object { $_.Name -notin $common })
        $script:docs = @($help.parameters.parameter | Where-Object { $_ -and $_.name })
    }

    It 'documents exactly the parameters the command has (with -WhatIf/-Confirm when it supports them)' {
        @($docs.name | Sort-Object) | Should -Be @($params.Name | Sort-Object)
        foreach ($d in $docs) { ($d.description | Out-String).Trim() | Should -Not -BeNullOrEmpty -Because "-$($d.name) needs words" }
    }

    It 'gives each parameter its real type, required flag, aliases, wildcard support and pipeline binding' {
        foreach ($p in $params) {
            $d = $docs | Where-Object name -eq $p.Name
            $d.type.name | Should -Be (FullType $p.ParameterType) -Because "-$($p.Name)"
            $d.type.name | Should -Not -Match 'Nullable'
            $d.required | Should -Be "$($p.ParameterSets.Values.IsMandatory -contains $true)".ToLower() -Because "-$($p.Name) required"
            $aliases = if ($p.Aliases.Count) { $p.Aliases -join ', ' } else { 'none' }
            $d.aliases | Should -Be $aliases -Because "-$($p.Name) aliases"
            $wild = [bool]($p.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] })
            $d.globbing | Should -Be "$wild".ToLower() -Because "-$($p.Name) wildcards"
            $pipe = @()
            if ($p.ParameterSets.Values.ValueFromPipeline -contains $true) { $pipe += 'ByValue' }
            if ($p.ParameterSets.Values.ValueFromPipelineByPropertyName -contains $true) { $pipe += 'ByPropertyName' }
            $d.pipelineInput | Should -Be $(if ($pipe) { "True ($($pipe -join ', '))" } else { 'False' }) -Because "-$($p.Name) pipeline"
            $d.defaultValue | Should -Not -BeNullOrEmpty -Because "-$($p.Name) default"
            $enum = [Nullable]::GetUnderlyingType($p.ParameterType) ?? $p.ParameterType
            if ($enum.IsArray) { $enum = $enum.GetElementType() }
            if ($enum.IsEnum) { @($d.parameterValueGroup.parameterValue) | Should -Be ([enum]::GetNames($enum)) -Because "-$($p.Name) values" }
        }
    }

    It 'has one syntax item per parameter set, each with that set''s parameters and positions' {
        $items = @($help.syntax.syntaxItem)
        $items.Count | Should -Be $command.ParameterSets.Count
        foreach ($set in $command.ParameterSets) {
            $expected = @($set.Parameters | Where-Object { $_.Name -notin $common })
            $match = $items | Where-Object { (@($_.parameter.name) -join ',') -eq (@($expected.Name) -join ',') }
            $match | Should -Not -BeNullOrEmpty -Because "set $($set.Name): $($expected.Name -join ', ')"
            foreach ($sp in $expected) {
                $d = @($match)[0].parameter | Where-Object name -eq $sp.Name
                $d.required | Should -Be "$($sp.IsMandatory)".ToLower()
                $d.position | Should -Be $(if ($sp.Position -ge 0) { "$($sp.Position)" } else { 'named' })
            }
        }
        $text = $help.syntax | Out-String -Width 1000
        $text | Should -Match '\[<CommonParameters>\]'
        if ($command.Parameters.ContainsKey('WhatIf')) { $text | Should -Match '\[-WhatIf\] \[-Confirm\]' }
        $text | Should -Not -Match 'Nullable'
    }

    It 'names every type that binds from the pipeline as an input' {
        $inputs = @($help.inputTypes.inputType.type.name)
        $byValue = @($params | Where-Object { $_.ParameterSets.Values.ValueFromPipeline -contains $true })
        $byName = @($params | Where-Object { $_.ParameterSets.Values.ValueFromPipelineByPropertyName -contains $true })
        foreach ($p in $byValue) {
            $t = if ($p.ParameterType.IsArray) { FullType $p.ParameterType.GetElementType() } else { FullType $p.ParameterType }
            $inputs | Should -Contain $t
        }
        if ($byName) { $inputs | Should -Contain 'System.Management.Automation.PSObject' }
        if (-not $byValue -and -not $byName) { $inputs | Should -Be @('None') }
    }

    It 'has a HelpUri made from the manifest''s ProjectUri, and Get-Help -Online would open it' {
        $command.HelpUri | Should -Be "$projectUri/blob/main/docs/$Name.md"
        @($help.relatedLinks.navigationLink.uri | Where-Object { $_ })[0] | Should -Be $command.HelpUri
    }

    It 'has a docs/ page' {
        Join-Path $repo "docs/$Name.md" | Should -Exist
    }
}

Describe 'Help files' -Tag 'Help' {
    It 'docs/ holds exactly what the help generator writes from the assembled module' {
        $tmp = Join-Path ([IO.Path]::GetTempPath()) "dht-docs-$([guid]::NewGuid().ToString('n'))"
        try {
            $pwsh = @([Environment]::ProcessPath); $dll = [Environment]::GetCommandLineArgs()[0]; if ($dll -like '*.dll') { $pwsh += $dll }
            $out = & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -File (Join-Path $repo 'src/DockerHostTools/Help/New-MamlHelp.ps1') `
                -ModulePath $env:DHT_MODULE_PATH -SourcePath (Join-Path $repo 'src/DockerHostTools/Help') -OutFile (Join-Path $tmp 'help.xml') -DocsPath (Join-Path $tmp 'docs') 2>&1
            $LASTEXITCODE | Should -Be 0 -Because ($out -join "`n")
            $fresh = Get-ChildItem (Join-Path $tmp 'docs') -Filter *.md | Sort-Object Name
            $checkedIn = Get-ChildItem (Join-Path $repo 'docs') -Filter '*-*.md' | Sort-Object Name
            @($checkedIn.Name) | Should -Be @($fresh.Name)
            foreach ($f in $fresh) {
                Get-Content (Join-Path $repo "docs/$($f.Name)") -Raw | Should -BeExactly (Get-Content $f.FullName -Raw) -Because "docs/$($f.Name) is stale: run build.ps1 Build and commit docs/"
            }
        }
        finally { Remove-Item $tmp -Recurse -Force -ErrorAction Ignore }
    }

    It 'docs/ is committed as the build wrote it (git)' -Skip:(-not (Get-Command git -ErrorAction Ignore) -or -not (Test-Path (Join-Path (Split-Path $PSScriptRoot) '.git'))) {
        $status = & git -C $repo status --porcelain -- docs 2>&1
        $status | Should -BeNullOrEmpty -Because 'build.ps1 Build rewrote docs/: commit the pages'
    }

    It 'about_DockerHostTools has no line wider than 80 columns' {
        $about = Join-Path (Split-Path $env:DHT_MODULE_PATH) 'en-US/about_DockerHostTools.help.txt'
        $wide = @(Get-Content $about | Where-Object { $_.Length -gt 80 })
        $wide | Should -BeNullOrEmpty -Because "$($wide.Count) lines are wider than 80 columns"
    }
}
