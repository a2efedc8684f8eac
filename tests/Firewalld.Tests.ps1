# Firewalld commands without the lab: help, parameters, bad input (rejected before firewalld is asked), format views.
BeforeDiscovery {
    $script:commands = @('Get-FirewalldState', 'Get-FirewalldZone', 'Get-FirewalldPort', 'Test-FirewalldPort', 'Add-FirewalldPort', 'Remove-FirewalldPort') |
        ForEach-Object { @{ Name = $_ } }
}

BeforeAll {
    Import-Module $env:DHT_MODULE_PATH -Force
}

Describe 'Firewalld commands: surface' -Tag 'Firewalld' {
    It '<Name> is exported with help, examples and a description for every parameter' -TestCases $commands {
        param($Name)
        $cmd = Get-Command $Name -Module DockerHostTools
        $help = Get-Help $Name -Full
        $help.Synopsis | Should -Not -BeNullOrEmpty
        @($help.Examples.Example).Count | Should -BeGreaterOrEqual 3
        $common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
        foreach ($p in $cmd.Parameters.Keys | Where-Object { $_ -notin $common }) {
            ($help.Parameters.Parameter | Where-Object Name -eq $p).Description.Text | Should -Not -BeNullOrEmpty -Because "$Name -$p needs help"
        }
    }

    It 'Add- and Remove-FirewalldPort support -WhatIf/-Confirm with an explicit impact' {
        (Get-Command Add-FirewalldPort).Parameters.Keys | Should -Contain 'WhatIf'
        (Get-Command Remove-FirewalldPort).Parameters.Keys | Should -Contain 'Confirm'
        [DockerHostTools.Commands.AddFirewalldPortCommand].GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0].ConfirmImpact | Should -Be 'Medium'
        [DockerHostTools.Commands.RemoveFirewalldPortCommand].GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0].ConfirmImpact | Should -Be 'High'
    }

    It '<Name> takes Port and Protocol by property name, also as PublicPort and Type' -TestCases @(@{ Name = 'Add-FirewalldPort' }, @{ Name = 'Remove-FirewalldPort' }, @{ Name = 'Test-FirewalldPort' }) {
        param($Name)
        $params = (Get-Command $Name).Parameters
        foreach ($p in 'Port', 'Protocol') {
            $params[$p].Attributes.Where({ $_ -is [System.Management.Automation.ParameterAttribute] }).ValueFromPipelineByPropertyName | Should -Contain $true
        }
        $params['Port'].Aliases | Should -Contain 'PublicPort'
        $params['Protocol'].Aliases | Should -Contain 'Type'
    }

    It 'format views load for every firewalld output type' {
        foreach ($t in 'FirewalldState', 'FirewalldZone', 'FirewalldPort', 'FirewalldPortTest', 'FirewalldPortChange') {
            Get-FormatData -TypeName "DockerHostTools.Core.Firewalld.$t" | Should -Not -BeNullOrEmpty -Because $t
        }
    }
}

Describe 'Firewalld commands: bad input is rejected with a constant id before firewalld is asked' -Tag 'Firewalld' {
    It '<Command> -Port <Port> -Protocol <Protocol> fails with <Id>' -TestCases @(
        @{ Command = 'Add-FirewalldPort'; Port = '0'; Protocol = 'tcp'; Id = 'InvalidPort' }
        @{ Command = 'Add-FirewalldPort'; Port = '65536'; Protocol = 'tcp'; Id = 'InvalidPort' }
        @{ Command = 'Add-FirewalldPort'; Port = '8010-8000'; Protocol = 'tcp'; Id = 'InvalidPort' }
        @{ Command = 'Add-FirewalldPort'; Port = 'http'; Protocol = 'tcp'; Id = 'InvalidPort' }
        @{ Command = 'Add-FirewalldPort'; Port = '5000'; Protocol = 'icmp'; Id = 'InvalidProtocol' }
        @{ Command = 'Remove-FirewalldPort'; Port = '70000'; Protocol = 'udp'; Id = 'InvalidPort' }
        @{ Command = 'Remove-FirewalldPort'; Port = '5000/foo'; Protocol = 'tcp'; Id = 'InvalidProtocol' }
        @{ Command = 'Test-FirewalldPort'; Port = '0'; Protocol = 'tcp'; Id = 'InvalidPort' }
        @{ Command = 'Test-FirewalldPort'; Port = '5000'; Protocol = 'gre'; Id = 'InvalidProtocol' }
    ) {
        param($Command, $Port, $Protocol, $Id)
        $type = (Get-Command $Command).ImplementingType.FullName
        $extra = if ($Command -ne 'Test-FirewalldPort') { @{ Confirm = $false } } else { @{} }
        { & $Command -Port $Port -Protocol $Protocol @extra -ErrorAction Stop } |
            Should -Throw -ErrorId "$Id,$type"
    }

    It 'Get-FirewalldPort -Protocol icmp fails with InvalidProtocol' {
        { Get-FirewalldPort -Protocol icmp -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidProtocol,DockerHostTools.Commands.GetFirewalldPortCommand'
    }

    It 'an empty port is a parameter binding error' {
        { Add-FirewalldPort -Port '' -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentValidationError,DockerHostTools.Commands.AddFirewalldPortCommand'
    }

    It 'Test-FirewalldPort -Interface and -Zone are separate parameter sets' {
        { Test-FirewalldPort 5000 -Interface eth0 -Zone public -ErrorAction Stop } | Should -Throw -ErrorId 'AmbiguousParameterSet,DockerHostTools.Commands.TestFirewalldPortCommand'
    }

    It 'bad pipeline items are reported one by one and the rest go on' {
        $errors = $null
        @([pscustomobject]@{ Port = '0'; Protocol = 'tcp' }, [pscustomobject]@{ PublicPort = '5000'; Type = 'icmp' }) |
            Test-FirewalldPort -ErrorVariable errors -ErrorAction SilentlyContinue | Out-Null
        @($errors).Count | Should -Be 2
        $errors[0].FullyQualifiedErrorId | Should -Be 'InvalidPort,DockerHostTools.Commands.TestFirewalldPortCommand'
        $errors[1].FullyQualifiedErrorId | Should -Be 'InvalidProtocol,DockerHostTools.Commands.TestFirewalldPortCommand'
    }
}

Describe 'Get-FirewalldState outside the lab' -Tag 'Firewalld' {
    It 'returns a state instead of throwing, whatever firewalld is doing on this machine' {
        # On the build machine firewalld is never started in the root namespace: NotRunning, Unreachable or NotInstalled.
        $s = Get-FirewalldState -ErrorAction Stop
        $s | Should -BeOfType ([DockerHostTools.Core.Firewalld.FirewalldState])
        $s.State | Should -BeIn ([enum]::GetNames([DockerHostTools.Core.Firewalld.FirewalldRunState]))
        $s.Message | Should -Not -BeNullOrEmpty
        { $s | ConvertTo-Json -Depth 4 -EnumsAsStrings } | Should -Not -Throw
    }
}
