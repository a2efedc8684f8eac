# The module as a whole: manifest, help for every command, format views. No root, no lab.
BeforeDiscovery {
    $manifest = Import-PowerShellDataFile $env:DHT_MODULE_PATH
    $commandCases = @($manifest.CmdletsToExport | ForEach-Object { @{ Name = $_ } })
}

BeforeAll {
    Import-Module $env:DHT_MODULE_PATH -Force
    $script:manifest = Import-PowerShellDataFile $env:DHT_MODULE_PATH
}

Describe 'DockerHostTools module' {
    It 'exports exactly the cmdlets the manifest names, with no wildcards' {
        $manifest.CmdletsToExport | Should -Not -Contain '*'
        $manifest.FunctionsToExport | Should -BeNullOrEmpty
        (Get-Command -Module DockerHostTools).Name | Sort-Object | Should -Be ($manifest.CmdletsToExport | Sort-Object)
    }

    It 'has an about topic' {
        Get-Help about_DockerHostTools | Out-String | Should -Match 'ip_forward'
    }

    It 'loads its format views' {
        Get-FormatData -TypeName DockerHostTools.Core.Sysctl.IpForwardState | Should -Not -BeNullOrEmpty
    }
}

Describe 'Help for <Name>' -ForEach $commandCases {
    BeforeAll {
        $script:help = Get-Help $Name -Full
        $script:command = Get-Command $Name
    }

    It 'has a synopsis, a description and examples' {
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -Match "^\s*$Name\s"
        ($help.Description | Out-String).Trim() | Should -Not -BeNullOrEmpty
        @($help.Examples.Example).Count | Should -BeGreaterThan 0
        foreach ($ex in $help.Examples.Example) { $ex.Code | Should -Match ([regex]::Escape($Name)) }
    }

    It 'documents every parameter' {
        $common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
        foreach ($p in $command.Parameters.Keys | Where-Object { $_ -notin $common }) {
            $doc = $help.Parameters.Parameter | Where-Object Name -eq $p
            ($doc.Description | Out-String).Trim() | Should -Not -BeNullOrEmpty -Because "parameter $p needs help"
        }
    }

    It 'declares its output type' {
        $command.OutputType | Should -Not -BeNullOrEmpty
    }

    It 'supports -WhatIf and -Confirm when it changes something' {
        if ($command.Verb -in 'Add', 'Remove', 'Repair', 'Set', 'Clear', 'Enable', 'Disable', 'Restart', 'Start', 'Stop') {
            $command.Parameters.Keys | Should -Contain 'WhatIf'
            $command.Parameters.Keys | Should -Contain 'Confirm'
        }
    }
}
