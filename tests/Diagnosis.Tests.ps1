# Get-DockerHostNetState / Test-DockerHost / Repair-DockerHost / Watch-DockerHostNetState without the Docker host lab:
# judging saved snapshots (FactsJson captured in the lab Docker host), bad input, and the watcher in a namespace lab.
BeforeDiscovery {
    $fixtures = Join-Path $PSScriptRoot 'DockerHostTools.Core.Tests/Fixtures/facts'
    $snapshotCases = @(
        @{ Name = '05-healthy'; Expected = @() }
        @{ Name = '01-port-closed-not-persisted'; Expected = @('Warning IpForwardNotPersisted net.ipv4.ip_forward', 'Warning FirewalldPortClosed 5000/tcp') }
        @{ Name = '02-ip-forward-off'; Expected = @('Error IpForwardDisabled net.ipv4.ip_forward', 'Warning IpForwardNotPersisted net.ipv4.ip_forward', 'Warning FirewalldPortClosed 5000/tcp') }
        @{ Name = '03-dnat-deleted'; Expected = @('Error DockerDnatMissing 5000/tcp', 'Error FirewalldPortClosed 5000/tcp', 'Warning IpForwardNotPersisted net.ipv4.ip_forward') }
    )
}

BeforeAll {
    Import-Module $env:DHT_MODULE_PATH -Force
    $script:fixtures = Join-Path $PSScriptRoot 'DockerHostTools.Core.Tests/Fixtures/facts'
    function Get-Snapshot([string] $Name) { [pscustomobject]@{ FactsJson = Get-Content (Join-Path $fixtures "$Name.json") -Raw } }
}

Describe 'Test-DockerHost on a saved snapshot: <Name>' -ForEach $snapshotCases {
    It 'gives the findings the lab showed' {
        $f = @(Get-Snapshot $Name | Test-DockerHost)
        @($f | ForEach-Object { "$($_.Severity) $($_.Id) $($_.Target)" }) | Should -Be $Expected
    }

    It 'gives the same findings after Export-Clixml / Import-Clixml' {
        $file = Join-Path ([System.IO.Path]::GetTempPath()) "dht-snap-$([guid]::NewGuid().ToString('N')).xml"
        try {
            Get-Snapshot $Name | Export-Clixml $file
            $again = @(Import-Clixml $file | Test-DockerHost)
            @($again | ForEach-Object { "$($_.Severity) $($_.Id) $($_.Target)" }) | Should -Be $Expected
        }
        finally { Remove-Item $file -ErrorAction Ignore }
    }
}

Describe 'Test-DockerHost' {
    It 'findings convert to JSON with words for the severity, evidence and remedy as arrays' {
        $json = Get-Snapshot '03-dnat-deleted' | Test-DockerHost | ConvertTo-Json -Depth 4 -EnumsAsStrings | ConvertFrom-Json
        $json[0].Severity | Should -Be 'Error'
        $json[0].Id | Should -Be 'DockerDnatMissing'
        @($json[0].Remedy).Command | Should -Contain 'systemctl reset-failed docker.service docker.socket && systemctl restart docker'
        @($json[0].Remedy).Shell | Should -Be @('PowerShell', 'Bash')
        @($json[0].Evidence).Count | Should -BeGreaterThan 1
    }

    It '-Port asks for a port no running container publishes: ContainerNotRunning' {
        $f = Get-Snapshot '08-container-stopped' | Test-DockerHost -Port 5000
        $f.Id | Should -Contain 'ContainerNotRunning'
        ($f | Where-Object Id -eq 'ContainerNotRunning').Severity | Should -Be 'Error'
    }

    It 'rejects input that is not a snapshot, and goes on with the next item' {
        $out = @([pscustomobject]@{ Name = 'x' }, (Get-Snapshot '05-healthy')) | Test-DockerHost -ErrorVariable e -ErrorAction SilentlyContinue
        $e[0].FullyQualifiedErrorId | Should -Be 'InputNotASnapshot,DockerHostTools.Commands.TestDockerHostCommand'
        $e[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $out | Should -BeNullOrEmpty
    }

    It 'rejects a snapshot whose facts are not readable' {
        { [pscustomobject]@{ FactsJson = '{ not json' } | Test-DockerHost -ErrorAction Stop } |
            Should -Throw -ErrorId 'SnapshotNotReadable,DockerHostTools.Commands.TestDockerHostCommand'
    }

    It 'rejects port <Port>' -ForEach @(@{ Port = 0 }, @{ Port = 65536 }, @{ Port = -1 }) {
        { Test-DockerHost -Port $Port -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentValidationError,DockerHostTools.Commands.TestDockerHostCommand'
    }

    It 'formats findings grouped by severity with the remedy visible' {
        $text = Get-Snapshot '03-dnat-deleted' | Test-DockerHost | Out-String -Width 200
        $text | Should -Match 'Severity: Error'
        $text | Should -Match 'fix PowerShell: Repair-DockerChain -Confirm:\$false'
        $text | Should -Match ' or Bash: systemctl reset-failed docker.service docker.socket && systemctl restart docker'
    }
}

Describe 'Repair-DockerHost input checks' {
    It 'rejects input that is not a finding, before touching anything' {
        $out = [pscustomobject]@{ Name = 'x' } | Repair-DockerHost -Confirm:$false -ErrorVariable e -ErrorAction SilentlyContinue
        $e[0].FullyQualifiedErrorId | Should -Be 'InputNotAFinding,DockerHostTools.Commands.RepairDockerHostCommand'
        $out | Should -BeNullOrEmpty
    }

    It 'is ConfirmImpact High (it can restart the Docker engine)' {
        (Get-Command Repair-DockerHost).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false).ConfirmImpact | Should -Be 'High'
    }
}

Describe 'Watch-DockerHostNetState input checks' {
    It 'rejects interval <Interval>' -ForEach @(@{ Interval = 0 }, @{ Interval = -1 }, @{ Interval = 7200 }) {
        { Watch-DockerHostNetState -Interval $Interval -Duration 1 -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidInterval,DockerHostTools.Commands.WatchDockerHostNetStateCommand'
    }

    It 'rejects a zero duration and a zero count' {
        { Watch-DockerHostNetState -Duration 0 -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidDuration,DockerHostTools.Commands.WatchDockerHostNetStateCommand'
        { Watch-DockerHostNetState -Count 0 -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentValidationError,DockerHostTools.Commands.WatchDockerHostNetStateCommand'
    }
}

Describe 'Watch-DockerHostNetState in a namespace lab' -Tag 'Lab' {
    BeforeAll {
        Import-Module (Join-Path $PSScriptRoot 'lab/NetnsLab.psm1') -Force
        $script:lab = Start-NetnsLab -Prefix 'wa'
    }
    AfterAll { Stop-NetnsLab -Prefix 'wa' }

    It 'a quiet host produces no change' {
        $r = Invoke-LabPwsh $lab { Watch-DockerHostNetState -Interval 0.2 -SlowEvery 2 -Duration 3 }
        $r.Errors | Should -BeNullOrEmpty
        $r.Output | Should -BeNullOrEmpty
    }

    It 'a CentOS-style network restart shows as net.ipv4.ip_forward 1 -> 0, an Error' {
        $job = Start-ThreadJob -ScriptBlock {
            param($lab, $modulePath, $labModule)
            $env:DHT_MODULE_PATH = $modulePath
            Import-Module $labModule
            Invoke-LabPwsh $lab { Watch-DockerHostNetState -Interval 0.2 -SlowEvery 2 -Count 1 -Duration 20 -Port 5000 }
        } -ArgumentList $lab, $env:DHT_MODULE_PATH, (Join-Path $PSScriptRoot 'lab/NetnsLab.psm1')
        Start-Sleep -Seconds 6   # the child pwsh starts and takes its baseline
        Invoke-LabHost $lab systemctl stop network
        $r = $job | Wait-Job -Timeout 30 | Receive-Job
        $job | Remove-Job -Force
        $r.Errors | Should -BeNullOrEmpty
        $c = @($r.Output)
        $c.Count | Should -Be 1
        $c[0].What | Should -Be 'net.ipv4.ip_forward'
        $c[0].Before | Should -Be '1'
        $c[0].After | Should -Be '0'
        $c[0].Severity | Should -Be 'Error'
    }
}
