# Issue 15 without a fleet: what a fleet command does with a host it cannot reach (loopback, a port where nothing
# listens: the real ssh client gets "connection refused"), with a finding whose host has no session, and with bad input.
# The fleet itself (sshd, PowerShell's subsystem, Docker hosts of two generations) is in Fleet.Lab.Tests.ps1.
BeforeAll {
    Import-Module $env:DHT_MODULE_PATH -Force
    $script:nowhere = @{ Port = 1 }   # 127.0.0.1:1: refused at once
}

Describe 'Test-DockerHost -HostName with hosts that cannot be reached' {
    It 'gives each its own Unreachable result with the reason HostUnreachable, in the order given, and no error' {
        $r = @(Test-DockerHost -HostName 127.0.0.1, 'nobody@127.0.0.1' -Options $nowhere -ConnectingTimeout 5000 -ThrottleLimit 1 -ErrorVariable ev)
        $ev | Should -BeNullOrEmpty
        $r.Count | Should -Be 2
        $r[0] | Should -BeOfType ([DockerHostTools.Fleet.DockerHostFleetResult])
        @($r.HostName) | Should -Be @('127.0.0.1', 'nobody@127.0.0.1')
        @($r.Status | ForEach-Object { "$_" }) | Should -Be @('Unreachable', 'Unreachable')
        @($r.Reason) | Should -Be @('HostUnreachable', 'HostUnreachable')
        $r[0].Message | Should -Match '127\.0\.0\.1 port 1 \(127\.0\.0\.1:1: Connection refused\)'
        $r[0].Findings.Count | Should -Be 0
        $r[0].Result | Should -Be 'HostUnreachable'
    }

    It 'keeps HostName and PSComputerName through ConvertTo-Json and fits the table in 80 columns' {
        $r = Test-DockerHost -HostName 127.0.0.1 -Options $nowhere
        $j = $r | ConvertTo-Json -Depth 3 | ConvertFrom-Json
        $j.HostName | Should -Be '127.0.0.1'
        $j.PSComputerName | Should -Be '127.0.0.1'
        $j.Reason | Should -Be 'HostUnreachable'
        $lines = ($r | Format-Table | Out-String -Width 200) -split "`n"
        @($lines | Where-Object { $_.TrimEnd().Length -gt 80 }) | Should -BeNullOrEmpty
        ($lines -join "`n") | Should -Match 'HostName\s+Engine\s+Firewalld\s+Err\s+Warn\s+Result'
    }
}

Describe 'Test-DockerHost -HostName with many hosts refused at once' {
    It 'the process survives: ssh is not started for a host whose port refuses (PowerShell''s SSH transport died of a broken pipe then)' {
        # PowerShell 7.6's SSH transport closes ssh's stdin into a broken pipe when ssh fails before the transport's first
        # write is flushed, on a thread of its own, and the whole process exits (a CI run lost its module tests to it).
        # 25 rounds of 16 refused hosts killed the child every time before the TCP pre-check.
        $script = @'
param($Module)
Import-Module $Module
$hosts = 1..8 | ForEach-Object { '127.0.0.1'; "u$_@127.0.0.1" }
$n = 0
for ($i = 0; $i -lt 25; $i++) { $n += @(Test-DockerHost -HostName $hosts -Options @{ Port = 1 } -ThrottleLimit 16 | Where-Object Reason -EQ 'HostUnreachable').Count }
"unreachable $n"
# An option ssh itself refuses (it exits before connecting anywhere): the same crash before ssh -G's exit was heeded.
$m = $null; $n = 0
for ($i = 0; $i -lt 10; $i++) { $r = @(Test-DockerHost -HostName $hosts -Options @{ Foo = 'x' } -ThrottleLimit 16 2>$null); $n += @($r | Where-Object Reason -EQ 'HostUnreachable').Count; $m = $r[0].Message }
"refused options $n"
"message $m"
'@
        $file = Join-Path ([IO.Path]::GetTempPath()) "dht-fleet-refused-$PID.ps1"
        Set-Content -LiteralPath $file -Value $script
        try {
            $pwsh = @([Environment]::ProcessPath); $dll = [Environment]::GetCommandLineArgs()[0]; if ($dll -like '*.dll') { $pwsh += $dll }
            $out = & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -File $file -Module $env:DHT_MODULE_PATH 2>&1
            $LASTEXITCODE | Should -Be 0 -Because ($out -join "`n")
            $out | Should -Contain 'unreachable 400'
            $out | Should -Contain 'refused options 160'
            ($out -match '^message ') | Should -Match 'ssh refuses to connect with these options .*Bad configuration option: foo'
        }
        finally { Remove-Item -LiteralPath $file -ErrorAction Ignore }
    }
}

Describe 'Get-DockerHostNetState -HostName with a host that cannot be reached' {
    It 'is a non-terminating HostUnreachable error (ConnectionError, the host as target) and returns nothing' {
        $out = @(Get-DockerHostNetState -HostName 127.0.0.1 -Options $nowhere -ErrorVariable ev -ErrorAction SilentlyContinue)
        $out | Should -BeNullOrEmpty
        $ev.Count | Should -Be 1
        $ev[0].FullyQualifiedErrorId | Should -Be 'HostUnreachable,DockerHostTools.Commands.GetDockerHostNetStateCommand'
        $ev[0].CategoryInfo.Category | Should -Be 'ConnectionError'
        $ev[0].TargetObject | Should -Be '127.0.0.1'
    }
}

Describe 'Watch-DockerHostNetState -HostName with a host that cannot be reached' {
    It 'is a non-terminating HostUnreachable error and ends without a change (nothing left to watch)' {
        $out = @(Watch-DockerHostNetState -HostName 127.0.0.1 -Options $nowhere -Duration 30 -ErrorVariable ev -ErrorAction SilentlyContinue)
        $out | Should -BeNullOrEmpty
        $ev.Count | Should -Be 1
        $ev[0].FullyQualifiedErrorId | Should -Be 'HostUnreachable,DockerHostTools.Commands.WatchDockerHostNetStateCommand'
        $ev[0].TargetObject | Should -Be '127.0.0.1'
    }

    It '-Socket with -HostName is a parameter set error (the socket is the host''s own)' {
        { Watch-DockerHostNetState -HostName h -Socket /run/docker.sock -Duration 1 } | Should -Throw -ErrorId 'AmbiguousParameterSet*'
    }
}

Describe 'Repair-DockerHost with a fleet finding whose host has no session' {
    It 'is FindingHostNotConnected and changes nothing here (the finding is never repaired on another host)' {
        $f = '{"Id":"IpForwardDisabled","Severity":"Error","HostName":"web9","Subject":{"Kind":"Forwarding","Family":"IPv4"},"Intent":{"Action":"PersistForwarding","Families":["IPv4"]}}' | ConvertFrom-Json
        $before = Get-Content /proc/sys/net/ipv4/ip_forward
        $out = @($f | Repair-DockerHost -Confirm:$false -ErrorVariable ev -ErrorAction SilentlyContinue)
        $out | Should -BeNullOrEmpty
        $ev.Count | Should -Be 1
        $ev[0].FullyQualifiedErrorId | Should -Be 'FindingHostNotConnected,DockerHostTools.Commands.RepairDockerHostCommand'
        $ev[0].CategoryInfo.Category | Should -Be 'ConnectionError'
        "$ev" | Should -Match 'web9.*Nothing was changed'
        Get-Content /proc/sys/net/ipv4/ip_forward | Should -Be $before
    }
}

Describe 'Fleet parameters: bad input' {
    It '<Case> is PowerShell''s ParameterArgumentValidationError' -TestCases @(
        @{ Case = '-ThrottleLimit 0'; Script = { Test-DockerHost -HostName h -ThrottleLimit 0 } }
        @{ Case = '-ConnectingTimeout 0'; Script = { Test-DockerHost -HostName h -ConnectingTimeout 0 } }
        @{ Case = 'an empty -HostName'; Script = { Test-DockerHost -HostName '' } }
        @{ Case = 'a null -Session'; Script = { Test-DockerHost -Session $null } }
        @{ Case = 'Get-DockerHostNetState -ThrottleLimit 0'; Script = { Get-DockerHostNetState -HostName h -ThrottleLimit 0 } }
        @{ Case = 'Repair-DockerHost -ThrottleLimit 0'; Script = { Repair-DockerHost -ThrottleLimit 0 -WhatIf } }
    ) {
        { & $Script } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
    }

    It 'a host name ssh would refuse is InvalidHostName for that host (never handed to ssh), the others go on' {
        $r = @(Test-DockerHost -HostName ' ', '-oProxyCommand=x', "a`nb", '[*?', 127.0.0.1 -Options $nowhere -ErrorVariable ev -ErrorAction SilentlyContinue)
        @($r.HostName) | Should -Be @('127.0.0.1')
        $ev.Count | Should -Be 4
        @($ev.FullyQualifiedErrorId | Select-Object -Unique) | Should -Be @('InvalidHostName,DockerHostTools.Commands.TestDockerHostCommand')
        @($ev | ForEach-Object { $_.CategoryInfo.Category } | Select-Object -Unique) | Should -Be @('InvalidArgument')
        $ev[1].TargetObject | Should -Be '-oProxyCommand=x'
    }

    It '<Case> stops the command with <Id>' -TestCases @(
        @{ Case = 'a user name with a newline'; Id = 'InvalidUserName'; Script = { Test-DockerHost -HostName h -UserName "a`nb" } }
        @{ Case = 'a key path starting with -'; Id = 'InvalidKeyFilePath'; Script = { Get-DockerHostNetState -HostName h -KeyFilePath '-oProxyCommand=x' } }
        @{ Case = 'an ssh option name with a space'; Id = 'InvalidSshOption'; Script = { Watch-DockerHostNetState -HostName h -Options @{ 'a b' = 1 } -Duration 1 } }
    ) {
        { & $Script } | Should -Throw -ErrorId "$Id,*"
    }

    It '-Socket with -HostName is a parameter set error (the socket is the host''s own)' {
        { Test-DockerHost -HostName h -Socket /run/docker.sock } | Should -Throw -ErrorId 'AmbiguousParameterSet*'
    }
}

Describe 'Install-DockerHostTools: the package and bad input (no host is reached)' {
    BeforeAll {
        Add-Type -AssemblyName System.IO.Compression
        $script:work = Join-Path ([IO.Path]::GetTempPath()) "dht-install-test-$([guid]::NewGuid().ToString('n'))"
        New-Item -ItemType Directory -Path $work | Out-Null
        function New-Nupkg([string] $Name, [string] $Nuspec) {
            $p = Join-Path $work $Name
            $zip = [IO.Compression.ZipFile]::Open($p, 'Create')
            try {
                if ($Nuspec) { $e = $zip.CreateEntry('DockerHostTools.nuspec'); $w = [IO.StreamWriter]::new($e.Open()); $w.Write($Nuspec); $w.Dispose() }
                $e = $zip.CreateEntry('DockerHostTools.psd1'); $w = [IO.StreamWriter]::new($e.Open()); $w.Write('@{}'); $w.Dispose()
            }
            finally { $zip.Dispose() }
            $p
        }
        $ns = '<?xml version="1.0"?><package xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd"><metadata><id>{0}</id><version>{1}</version></metadata></package>'
        $script:good = New-Nupkg 'DockerHostTools.0.1.0.nupkg' ($ns -f 'DockerHostTools', '0.1.0')
        $script:otherId = New-Nupkg 'Pester.5.7.1.nupkg' ($ns -f 'Pester', '5.7.1')
        $script:noVersion = New-Nupkg 'DockerHostTools.x.nupkg' ($ns -f 'DockerHostTools', 'latest')
        $script:noNuspec = New-Nupkg 'DockerHostTools.none.nupkg' $null
        $script:text = Join-Path $work 'DockerHostTools.text.nupkg'
        Set-Content -Path $text -Value 'not a zip'
        $script:fifo = Join-Path $work 'DockerHostTools.fifo.nupkg'
        & mkfifo $fifo
    }
    AfterAll { Remove-Item $work -Recurse -Force -ErrorAction Ignore }

    It '<Case> stops the command with <Id> (<Category>), the path as target, before any host is reached' -TestCases @(
        @{ Case = 'a missing file'; Path = { Join-Path $work 'nothing.nupkg' }; Id = 'PackageNotFound'; Category = 'ObjectNotFound' }
        @{ Case = 'a folder'; Path = { $work }; Id = 'PackageNotFound'; Category = 'ObjectNotFound' }
        @{ Case = 'a text file'; Path = { $text }; Id = 'InvalidPackage'; Category = 'InvalidData' }
        @{ Case = 'a zip without .nuspec'; Path = { $noNuspec }; Id = 'InvalidPackage'; Category = 'InvalidData' }
        @{ Case = 'another package'; Path = { $otherId }; Id = 'InvalidPackage'; Category = 'InvalidData' }
        @{ Case = 'a nuspec without a version'; Path = { $noVersion }; Id = 'InvalidPackage'; Category = 'InvalidData' }
        @{ Case = 'a named pipe (opening it would wait for a writer)'; Path = { $fifo }; Id = 'InvalidPackage'; Category = 'InvalidData' }
        @{ Case = 'a device that never ends (/dev/zero)'; Path = { '/dev/zero' }; Id = 'InvalidPackage'; Category = 'InvalidData' }
    ) {
        param($Case, $Path, $Id, $Category)
        $p = & $Path
        $err = $null
        try { Install-DockerHostTools -HostName 127.0.0.1 -Options $nowhere -Path $p -Confirm:$false -ErrorAction Stop; throw 'no error' }
        catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike "$Id,*"
        "$($err.CategoryInfo.Category)" | Should -Be $Category
        $err.TargetObject | Should -Be $p
    }

    It 'a host name ssh would refuse is InvalidHostName for that host, the others go on (each its own result)' {
        $r = @(Install-DockerHostTools -HostName '-oProxyCommand=x', 127.0.0.1 -Options $nowhere -Path $good -Confirm:$false -ErrorVariable ev -ErrorAction SilentlyContinue)
        @($ev.FullyQualifiedErrorId) | Should -Be @('InvalidHostName,DockerHostTools.Commands.InstallDockerHostToolsCommand')
        "$($ev[0].CategoryInfo.Category)" | Should -Be 'InvalidArgument'
        $ev[0].TargetObject | Should -Be '-oProxyCommand=x'
        $r.Count | Should -Be 1
        $r[0].HostName | Should -Be '127.0.0.1'
    }

    It 'an unreachable host is a Failed result with the reason HostUnreachable, never an error of the run' {
        $r = @(Install-DockerHostTools -HostName 127.0.0.1, 'nobody@127.0.0.1' -Options $nowhere -ConnectingTimeout 5000 -Path $good -Confirm:$false -ErrorVariable ev)
        $ev | Should -BeNullOrEmpty
        $r[0] | Should -BeOfType ([DockerHostTools.Fleet.DockerHostInstallResult])
        @($r.HostName) | Should -Be @('127.0.0.1', 'nobody@127.0.0.1')
        @($r.Status | ForEach-Object { "$_" }) | Should -Be @('Failed', 'Failed')
        @($r.Reason) | Should -Be @('HostUnreachable', 'HostUnreachable')
        @($r.Version) | Should -Be @('0.1.0', '0.1.0')
        $lines = ($r | Format-Table | Out-String -Width 200) -split "`n"
        @($lines | Where-Object { $_.TrimEnd().Length -gt 80 }) | Should -BeNullOrEmpty
        ($lines -join "`n") | Should -Match 'HostUnreachable'
    }
}
