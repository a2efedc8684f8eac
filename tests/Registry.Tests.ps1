# Test-RegistryReachable without the lab: parameter validation, malformed input, help, format view.
BeforeAll {
    Import-Module $env:DHT_MODULE_PATH -Force
    $script:Cmd = 'DockerHostTools.Commands.TestRegistryReachableCommand'
}

Describe 'Test-RegistryReachable (no lab)' -Tag 'Registry' {
    It 'is exported with help for every parameter' {
        $c = Get-Command Test-RegistryReachable -Module DockerHostTools
        $c | Should -Not -BeNullOrEmpty
        $help = Get-Help Test-RegistryReachable -Full
        $help.Synopsis | Should -Match 'registr'
        @($help.Examples.Example).Count | Should -BeGreaterThan 3
        foreach ($p in 'Endpoint', 'ComputerName', 'Port', 'TimeoutSec', 'ThrottleLimit', 'Credential', 'SkipCertificateCheck', 'Scheme', 'Quiet', 'TcpOnly', 'AllowInsecureCredential') {
            ($help.parameters.parameter | Where-Object name -eq $p).description.Text | Should -Not -BeNullOrEmpty -Because "parameter $p needs help"
        }
    }

    It 'declares RegistryProbeResult and bool as output types' {
        (Get-Command Test-RegistryReachable).OutputType.Name | Should -Contain 'DockerHostTools.Core.Registry.RegistryProbeResult'
        (Get-Command Test-RegistryReachable).OutputType.Name | Should -Contain 'System.Boolean'
    }

    It 'has a format view for RegistryProbeResult grouped by host' {
        $fd = Get-FormatData -TypeName DockerHostTools.Core.Registry.RegistryProbeResult
        $fd | Should -Not -BeNullOrEmpty
        $fd.FormatViewDefinition[0].Control.GroupBy.Expression.Value | Should -Be 'Host'
    }

    It 'rejects <Name> = <Value>' -TestCases @(
        @{ Name = 'TimeoutSec'; Value = 0; Id = 'ParameterArgumentValidationError' }
        @{ Name = 'TimeoutSec'; Value = 301; Id = 'ParameterArgumentValidationError' }
        @{ Name = 'ThrottleLimit'; Value = 0; Id = 'ParameterArgumentValidationError' }
        @{ Name = 'Scheme'; Value = 'Ftp'; Id = 'CannotConvertArgumentNoMessage' }
    ) {
        $splat = @{ Endpoint = '198.51.100.10'; $Name = $Value }
        { Test-RegistryReachable @splat -ErrorAction Stop } | Should -Throw -ErrorId "$Id,$script:Cmd"
    }

    It 'gives InvalidEndpoint for <Text> and goes on with the other items' -TestCases @(
        @{ Text = 'host.example:0' }
        @{ Text = 'host.example:99999' }
        @{ Text = ':5000' }
        @{ Text = '' }
        @{ Text = 'ftp://host.example' }
        @{ Text = '2001:db8::1:5000:zz' }
        @{ Text = 'https://user:secret@host.example' }
    ) {
        $out = Test-RegistryReachable $Text, 'also bad:port' -ErrorVariable errs -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        $errs.Count | Should -Be 2
        $errs[0].FullyQualifiedErrorId | Should -Be "InvalidEndpoint,$script:Cmd"
        $errs[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $errs[0].TargetObject | Should -Be ($Text -replace '//.*@', '//***@')
        $errs[1].TargetObject | Should -Be 'also bad:port'
    }

    It 'does not echo a password written into an endpoint' {
        Test-RegistryReachable 'https://user:s3cret-pw@host.example:5000' -ErrorVariable errs -ErrorAction SilentlyContinue
        # (PowerShell's own display of the error quotes the command line the user typed; what the command adds is clean.)
        $errs[0].Exception.Message + $errs[0].TargetObject + $errs[0].CategoryInfo.TargetName | Should -Not -Match 's3cret-pw'
        $errs[0].Exception.Message | Should -Match '\*\*\*@host\.example'
        $errs[0].FullyQualifiedErrorId | Should -Be "InvalidEndpoint,$script:Cmd"
    }

    It 'gives InvalidEndpoint for an object with an empty ComputerName' {
        [pscustomobject]@{ ComputerName = ''; Port = 5000 } | Test-RegistryReachable -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -Be "InvalidEndpoint,$script:Cmd"
    }

    It 'gives InvalidEndpoint for an object with a bad Port' {
        [pscustomobject]@{ HostName = 'host.example'; Port = 70000 } | Test-RegistryReachable -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -Be "InvalidEndpoint,$script:Cmd"
        $errs[0].Exception.Message | Should -Match '70000'
    }

    It 'returns $false for a malformed endpoint with -Quiet, keeping one bool per endpoint' {
        $out = Test-RegistryReachable 'x:0', 'y:' -Quiet -ErrorAction SilentlyContinue
        $out | Should -Be @($false, $false)
    }

    It 'stops with -ErrorAction Stop on the first malformed endpoint' {
        { Test-RegistryReachable 'x:0' -ErrorAction Stop } | Should -Throw -ErrorId "InvalidEndpoint,$script:Cmd"
    }
}
