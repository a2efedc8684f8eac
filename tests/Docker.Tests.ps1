# Get-DockerChain, Get-DockerPublishedPort, Get-DockerHostService, Repair-DockerChain without a lab: parameters,
# help, format views and the errors a machine without Docker or systemd gives (this machine: PID 1 is not systemd).
BeforeDiscovery {
    $script:commands = @('Get-DockerChain', 'Get-DockerPublishedPort', 'Get-DockerHostService', 'Repair-DockerChain')
}

BeforeAll {
    Import-Module $env:DHT_MODULE_PATH -Force
}

Describe 'Docker commands: help and views' -Tag 'Docker' {
    It '<_> is exported and has help with examples for every parameter' -ForEach $commands {
        $cmd = Get-Command $_ -Module DockerHostTools
        $help = Get-Help $_ -Full
        $help.Synopsis | Should -Not -BeNullOrEmpty
        @($help.Examples.Example).Count | Should -BeGreaterThan 1
        $own = $cmd.Parameters.Keys | Where-Object { $_ -notin [System.Management.Automation.PSCmdlet]::CommonParameters -and $_ -notin [System.Management.Automation.PSCmdlet]::OptionalCommonParameters }
        foreach ($p in $own) { ($help.parameters.parameter | Where-Object name -eq $p).description | Should -Not -BeNullOrEmpty -Because "$p needs help" }
    }

    It 'has a format view for <_>' -ForEach @('DockerHostTools.Core.Iptables.DockerChainState', 'DockerHostTools.Core.Docker.DockerPublishedPort',
        'DockerHostTools.Core.Docker.DockerHostService', 'DockerHostTools.Core.Docker.DockerChainRepairResult') {
        Get-FormatData -TypeName $_ | Should -Not -BeNullOrEmpty
    }

    It 'Repair-DockerChain asks before it restarts the engine (ConfirmImpact High)' {
        $attr = (Get-Command Repair-DockerChain).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0]
        $attr.SupportsShouldProcess | Should -BeTrue
        $attr.ConfirmImpact | Should -Be 'High'
    }
}

Describe 'Docker commands: bad input' -Tag 'Docker' {
    It 'Get-DockerPublishedPort refuses port <_>' -ForEach @(0, 65536, -1) {
        { Get-DockerPublishedPort -Port $_ -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentValidationError,DockerHostTools.Commands.GetDockerPublishedPortCommand'
    }

    It 'Repair-DockerChain refuses -TimeoutSec <_>' -ForEach @(0, 601) {
        { Repair-DockerChain -TimeoutSec $_ -WhatIf -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentValidationError,DockerHostTools.Commands.RepairDockerChainCommand'
    }

    It '<_> refuses an empty -Socket' -ForEach @('Get-DockerPublishedPort', 'Get-DockerChain', 'Get-DockerHostService') {
        { & $_ -Socket '' -ErrorAction Stop } | Should -Throw -ErrorId "ParameterArgumentValidationError,DockerHostTools.Commands.$($_ -replace '-', '')Command"
    }

    It 'Get-DockerChain refuses an unknown -Family' {
        { Get-DockerChain -Family IPv5 -ErrorAction Stop } | Should -Throw -ErrorId 'CannotConvertArgumentNoMessage,DockerHostTools.Commands.GetDockerChainCommand'
    }

    It 'Get-DockerChain refuses an unknown -Variant' {
        { Get-DockerChain -Variant nftables -ErrorAction Stop } | Should -Throw -ErrorId 'CannotConvertArgumentNoMessage,DockerHostTools.Commands.GetDockerChainCommand'
    }

    It 'Get-DockerHostService refuses a name that looks like an option: InvalidUnitName' {
        $errs = $null
        $out = Get-DockerHostService -Name '--all' -ErrorVariable errs -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        $errs[0].FullyQualifiedErrorId | Should -Be 'InvalidUnitName,DockerHostTools.Commands.GetDockerHostServiceCommand'
        $errs[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $errs[0].TargetObject | Should -Be '--all'
    }
}

Describe 'Docker commands: no Docker, no systemd' -Tag 'Docker' {
    It 'Get-DockerPublishedPort on a socket that does not exist: DockerSocketNotFound, no output' {
        $errs = $null
        $out = Get-DockerPublishedPort -Socket /nonexistent/dht/docker.sock -ErrorVariable errs -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -Be 'DockerSocketNotFound,DockerHostTools.Commands.GetDockerPublishedPortCommand'
        $errs[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $errs[0].TargetObject | Should -Be '/nonexistent/dht/docker.sock'
        $errs[0].Exception.Message | Should -BeLike '*does not exist*'
    }

    It 'Get-DockerPublishedPort on a file that is not a listening socket: DockerNotRunning' {
        $file = New-TemporaryFile
        try {
            { Get-DockerPublishedPort -Socket $file.FullName -ErrorAction Stop } | Should -Throw -ErrorId 'DockerNotRunning,DockerHostTools.Commands.GetDockerPublishedPortCommand'
        }
        finally { Remove-Item $file }
    }

    It 'Get-DockerHostService where systemd is not PID 1: SystemdNotRunning' -Skip:((Get-Content /proc/1/comm) -eq 'systemd') {
        { Get-DockerHostService -ErrorAction Stop } | Should -Throw -ErrorId 'SystemdNotRunning,DockerHostTools.Commands.GetDockerHostServiceCommand'
    }

    It 'Repair-DockerChain -WhatIf without an engine warns, shows the plan and returns nothing' {
        $warn = $null
        $out = Repair-DockerChain -Socket /nonexistent/dht/docker.sock -WhatIf -WarningVariable warn -WarningAction SilentlyContinue 6>&1
        @($out | Where-Object { $_ -isnot [System.Management.Automation.InformationRecord] }) | Should -BeNullOrEmpty
        "$warn" | Should -BeLike '*cannot be listed*'
    }
}
