# The error policy of docs/architecture.md ("Errors"), command by command, without root or a lab: piped objects the
# commands cannot use, arrays of ports with a bad one, a conflicting protocol, every read command's errors (a constant
# id, a target, never "Nothing was changed."), every changing command's input errors ("Nothing was changed."), -Verbose
# on the reads, and Watch's -Socket. The same cases on a real firewalld and dockerd are in Firewalld.Lab.Tests.ps1 and
# DockerLab.Tests.ps1.
BeforeAll {
    Import-Module $env:DHT_MODULE_PATH -Force

    function script:Errors([scriptblock] $Block) {
        # Every error the command writes, non-terminating ones and the one that stopped it (Terminating = $true).
        $ErrorActionPreference = 'Continue'
        $errs = [System.Collections.Generic.List[object]]::new()
        $stopped = $null
        try { & $Block 2>&1 | ForEach-Object { if ($_ -is [System.Management.Automation.ErrorRecord]) { $errs.Add($_) } } }
        catch { $stopped = $_ }
        @($errs | ForEach-Object { [pscustomobject]@{ Record = $_; Terminating = $false } }) +
        @(if ($stopped) { [pscustomobject]@{ Record = $stopped; Terminating = $true } })
    }
}

Describe 'A piped object without the property names a command binds' -Tag 'ErrorPolicy' {
    It '<Command>: InputObjectNotRecognized, InvalidArgument, the piped object as target, the properties it takes' -ForEach @(
        @{ Command = 'Test-RegistryReachable'; Names = 'ComputerName' }
        @{ Command = 'Get-FirewalldZone'; Names = 'Name' }
        @{ Command = 'Add-FirewalldPort'; Names = 'Port' }
        @{ Command = 'Remove-FirewalldPort'; Names = 'Port' }
        @{ Command = 'Test-FirewalldPort'; Names = 'Port' }
        @{ Command = 'Get-DockerHostService'; Names = 'Name' }
        @{ Command = 'Get-DockerPublishedPort'; Names = 'ContainerName' }
        @{ Command = 'Get-DockerHostNetState'; Names = 'Port' }
    ) {
        $piped = [pscustomobject]@{ Foo = 1 }
        $e = @(Errors { $piped | & $Command })
        $e.Count | Should -Be 1
        $e[0].Terminating | Should -BeFalse
        $r = $e[0].Record
        $r.FullyQualifiedErrorId | Should -BeLike 'InputObjectNotRecognized,DockerHostTools.Commands.*'
        $r.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $r.TargetObject.Foo | Should -Be 1
        $r.Exception.Message | Should -BeLike "*$Names*"
        $r.Exception.Message | Should -BeLike '*properties: Foo*'
        $r.Exception.Message | Should -Not -BeLike '*user information*'
    }

    It 'a hashtable is not turned into the text "System.Collections.Hashtable" either' {
        $e = @(Errors { @{ Foo = 1 } | Get-FirewalldZone })
        $e.Record.FullyQualifiedErrorId | Should -Be 'InputObjectNotRecognized,DockerHostTools.Commands.GetFirewalldZoneCommand'
        $e.Record.Exception.Message | Should -BeLike '*Hashtable*Foo*'
    }

    It 'an object with the names still binds by property name (Test-RegistryReachable: ComputerName and Port)' {
        # 127.0.0.1 port 9 (discard) refuses at once here: nothing listens on it.
        $r = [pscustomobject]@{ ComputerName = '127.0.0.1'; Port = 9 } | Test-RegistryReachable -TimeoutSec 2 -TcpOnly
        $r.Port | Should -Be 9
        $r.Outcome | Should -Be 'Refused'
    }

    It 'an object whose port is a number (PublicPort = 5001, as Docker reports it) binds by property name, not as its text' {
        # Binding by value with conversion comes before binding by property name with it in PowerShell: the int would
        # otherwise lose to the object's text "@{PublicPort=5001; Type=udp}".
        $t = @([pscustomobject]@{ PublicPort = 5001; Type = 'udp' }, [pscustomobject]@{ Port = 5002 }) | Test-FirewalldPort -Zone public
        ($t | ForEach-Object { "$($_.Port)/$($_.Protocol)" }) | Should -Be @('5001/udp', '5002/tcp')
        $n = @([pscustomobject]@{ ContainerName = '[' }) | Get-DockerPublishedPort -Socket /nonexistent/docker.sock -ErrorAction SilentlyContinue -ErrorVariable e
        $e[0].FullyQualifiedErrorId | Should -Be 'InvalidWildcardPattern,DockerHostTools.Commands.GetDockerPublishedPortCommand'
    }

    It 'strings still bind by value, one result each, in order' {
        $r = @('127.0.0.1:9', '127.0.0.1:7') | Test-RegistryReachable -TimeoutSec 2 -TcpOnly
        $r.Port | Should -Be @(9, 7)
    }
}

Describe 'Arrays of ports and a conflicting protocol' -Tag 'ErrorPolicy' {
    It '<Command> 5000,0,70000: each bad port is its own non-terminating InvalidPort with the text typed as target' -ForEach @(
        @{ Command = 'Add-FirewalldPort' }, @{ Command = 'Remove-FirewalldPort' }, @{ Command = 'Test-FirewalldPort' }
    ) {
        $extra = if ($Command -eq 'Test-FirewalldPort') { @{} } else { @{ Confirm = $false } }
        $e = @(Errors { & $Command 5000, 0, 70000 @extra })
        $bad = @($e | Where-Object { $_.Record.FullyQualifiedErrorId -like 'InvalidPort,*' })
        $bad.Count | Should -Be 2
        $bad.Terminating | Should -Be @($false, $false)
        $bad.Record.TargetObject | Should -Be @('0', '70000')
        # 5000 went on: to firewalld, which does not run in this namespace (or a result when it does)
        @($e | Where-Object { $_.Record.FullyQualifiedErrorId -notlike 'InvalidPort,*' -and $_.Record.FullyQualifiedErrorId -notlike 'FirewalldNotRunning,*' -and $_.Record.FullyQualifiedErrorId -notlike 'NotRoot,*' }) |
            Should -BeNullOrEmpty
    }

    It 'binds an array of ports from the pipeline by value, each its own item' {
        $r = @(Errors { '0', '5000/xyz', '1-0' | Test-FirewalldPort })
        $r.Record.FullyQualifiedErrorId | Should -Be @('InvalidPort,DockerHostTools.Commands.TestFirewalldPortCommand',
            'InvalidProtocol,DockerHostTools.Commands.TestFirewalldPortCommand', 'InvalidPort,DockerHostTools.Commands.TestFirewalldPortCommand')
        $r.Record.TargetObject | Should -Be @('0', '5000/xyz', '1-0')
    }

    It '<Command> 5000/tcp -Protocol udp: ConflictingProtocol, InvalidArgument, before anything is asked' -ForEach @(
        @{ Command = 'Add-FirewalldPort'; Changes = $true }, @{ Command = 'Remove-FirewalldPort'; Changes = $true }, @{ Command = 'Test-FirewalldPort'; Changes = $false }
    ) {
        $extra = if ($Changes) { @{ Confirm = $false } } else { @{} }
        $e = @(Errors { & $Command 5000/tcp -Protocol udp @extra })
        $e.Count | Should -Be 1
        $e[0].Record.FullyQualifiedErrorId | Should -BeLike 'ConflictingProtocol,*'
        $e[0].Record.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $e[0].Record.TargetObject | Should -Be '5000/tcp'
        "$($e[0].Record)" | Should -BeLike "*'tcp'*'udp'*"
        if ($Changes) { "$($e[0].Record)" | Should -BeLike '*Nothing was changed.' }
        else { "$($e[0].Record)" | Should -Not -BeLike '*Nothing was changed*' }
    }

    It 'a port with the same protocol as -Protocol is fine (5000/UDP -Protocol udp), and -Protocol given by property name is checked too' {
        $e = @(Errors { [pscustomobject]@{ Port = '5000/udp'; Protocol = 'tcp' } | Test-FirewalldPort })
        $e[0].Record.FullyQualifiedErrorId | Should -Be 'ConflictingProtocol,DockerHostTools.Commands.TestFirewalldPortCommand'
        $same = @(Errors { Test-FirewalldPort 5000/UDP -Protocol udp -Zone public })
        @($same | Where-Object { $_.Record.FullyQualifiedErrorId -like 'ConflictingProtocol,*' }) | Should -BeNullOrEmpty
    }

    It 'Get-FirewalldPort -Port 5000/tcp -Protocol udp: ConflictingProtocol (its one filter cannot be used: the command stops)' {
        $e = @(Errors { Get-FirewalldPort -Port 5000/tcp -Protocol udp })
        $e.Record.FullyQualifiedErrorId | Should -Be 'ConflictingProtocol,DockerHostTools.Commands.GetFirewalldPortCommand'
        $e.Terminating | Should -Be $true
    }
}

Describe 'One error policy across the commands' -Tag 'ErrorPolicy' {
    BeforeDiscovery {
        # Every error of a read command that can be caused here without root or a lab. The text "Nothing was changed."
        # belongs only to commands that could have changed something.
        $script:readCases = @(
            @{ Name = 'Get-FirewalldZone bad pattern'; Run = { Get-FirewalldZone '[' }; Id = 'InvalidWildcardPattern'; Target = '[' }
            @{ Name = 'Get-FirewalldPort bad pattern'; Run = { Get-FirewalldPort -Zone '[' }; Id = 'InvalidWildcardPattern'; Target = '[' }
            @{ Name = 'Get-FirewalldPort bad port'; Run = { Get-FirewalldPort -Port 0 }; Id = 'InvalidPort'; Target = '0' }
            @{ Name = 'Get-FirewalldPort bad protocol'; Run = { Get-FirewalldPort -Protocol xyz }; Id = 'InvalidProtocol'; Target = 'xyz' }
            @{ Name = 'Test-FirewalldPort bad port'; Run = { Test-FirewalldPort 0 }; Id = 'InvalidPort'; Target = '0' }
            @{ Name = 'Test-FirewalldPort bad protocol'; Run = { Test-FirewalldPort 5000 -Protocol xyz }; Id = 'InvalidProtocol'; Target = 'xyz' }
            @{ Name = 'Test-FirewalldPort no such interface'; Run = { Test-FirewalldPort 5000 -Interface nosuch0 }; Id = 'InterfaceNotFound'; Target = 'nosuch0' }
            @{ Name = 'Get-DockerPublishedPort no socket'; Run = { Get-DockerPublishedPort -Socket /nonexistent/docker.sock }; Id = 'DockerSocketNotFound'; Target = '/nonexistent/docker.sock' }
            @{ Name = 'Get-DockerPublishedPort bad pattern'; Run = { Get-DockerPublishedPort -Name '[' -Socket /nonexistent/docker.sock }; Id = 'InvalidWildcardPattern'; Target = '[' }
            @{ Name = 'Get-DockerHostService bad unit'; Run = { Get-DockerHostService 'a/b' }; Id = 'InvalidUnitName'; Target = 'a/b' }
            @{ Name = 'Get-IpForward no root folder'; Run = { Get-IpForward -Root /nonexistent/dht-root }; Id = 'RootNotFound'; Target = '/nonexistent/dht-root' }
            @{ Name = 'Test-RegistryReachable bad endpoint'; Run = { Test-RegistryReachable 'http://u:secret@h:99999' }; Id = 'InvalidEndpoint'; Target = $null }
            @{ Name = 'Watch-DockerHostNetState bad interval'; Run = { Watch-DockerHostNetState -Interval 0.001 }; Id = 'InvalidInterval'; Target = $null }
        )
        $script:changeCases = @(
            @{ Name = 'Add-FirewalldPort bad port'; Run = { Add-FirewalldPort 0 -WhatIf }; Id = 'InvalidPort'; Target = '0' }
            @{ Name = 'Add-FirewalldPort bad protocol'; Run = { Add-FirewalldPort 5000 -Protocol xyz -WhatIf }; Id = 'InvalidProtocol'; Target = 'xyz' }
            @{ Name = 'Remove-FirewalldPort bad port'; Run = { Remove-FirewalldPort 1-0 -WhatIf }; Id = 'InvalidPort'; Target = '1-0' }
            @{ Name = 'Remove-FirewalldPort conflicting protocol'; Run = { Remove-FirewalldPort 5000/udp -Protocol tcp -WhatIf }; Id = 'ConflictingProtocol'; Target = '5000/udp' }
        )
    }

    It 'read command, <Name>: a constant id, a category, the target named, and no "Nothing was changed"' -ForEach $readCases {
        $e = @(Errors $Run)
        $e.Count | Should -BeGreaterThan 0
        $first = $e[0].Record
        $first.FullyQualifiedErrorId | Should -Match "^$Id,DockerHostTools\.Commands\.\w+Command$"
        $first.CategoryInfo.Category | Should -Not -Be 'NotSpecified'
        if ($null -ne $Target) { $first.TargetObject | Should -Be $Target }
        foreach ($x in $e) { "$($x.Record)" | Should -Not -BeLike '*Nothing was changed*' }
    }

    It 'changing command, <Name>: a constant id, the target named, and "Nothing was changed."' -ForEach $changeCases {
        $e = @(Errors $Run)
        $e.Count | Should -Be 1
        $e[0].Terminating | Should -BeFalse
        $e[0].Record.FullyQualifiedErrorId | Should -Match "^$Id,DockerHostTools\.Commands\.\w+Command$"
        $e[0].Record.TargetObject | Should -Be $Target
        "$($e[0].Record)" | Should -BeLike '*Nothing was changed.*'
    }

    It 'one bad item of several is non-terminating: the others still come (<Name>)' -ForEach @(
        @{ Name = 'Get-FirewalldZone'; Run = { Get-FirewalldZone '[', 'x[' } ; Count = 2 }
        @{ Name = 'Get-DockerHostService'; Run = { Get-DockerHostService 'a/b', 'c/d' -Socket /nonexistent/docker.sock }; Count = 2 }
        @{ Name = 'Test-RegistryReachable'; Run = { Test-RegistryReachable 'h:0', 'h:99999' }; Count = 2 }
    ) {
        $e = @(Errors $Run)
        $e.Count | Should -Be $Count
        $e.Terminating | Should -Not -Contain $true
    }

    It 'the documented policy is written down in docs/architecture.md' {
        $doc = Get-Content (Join-Path $PSScriptRoot '../docs/architecture.md') -Raw
        $doc | Should -Match '## Errors'
        $doc | Should -Match 'Nothing was changed'
        $doc | Should -Match 'InputObjectNotRecognized'
    }
}

Describe 'Test-FirewalldPort where firewalld does not run' -Tag 'ErrorPolicy' {
    It 'IsOpen, Runtime and Permanent are empty and the message says firewalld filters nothing' {
        # firewalld never runs in this machine's own namespace (the lab starts it only in namespaces).
        $t = Test-FirewalldPort 5000 -Zone public
        $t.FirewalldState | Should -Not -Be 'Running'
        $t.IsOpen | Should -BeNullOrEmpty
        $null -eq $t.IsOpen | Should -BeTrue
        $null -eq $t.Runtime | Should -BeTrue
        $null -eq $t.Permanent | Should -BeTrue
        $t.Message | Should -BeLike 'firewalld is not running*; it filters nothing*'
        "$t" | Should -BeLike '*not filtered (firewalld is not running)*'
    }
}

Describe '-Verbose on the read commands' -Tag 'ErrorPolicy' {
    It 'Get-IpForward -Root names every sysctl file it read under the saved tree, with a duration in ms' {
        $root = Join-Path ([IO.Path]::GetTempPath()) ("dht-verbose-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
        try {
            New-Item -ItemType Directory "$root/etc/sysctl.d", "$root/proc/sys/net/ipv4" -Force | Out-Null
            Set-Content "$root/etc/sysctl.d/99-forward.conf" 'net.ipv4.ip_forward = 1'
            Set-Content "$root/proc/sys/net/ipv4/ip_forward" '1'
            $v = @(Get-IpForward -Root $root -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
            $v | Should -Contain ($v | Where-Object { $_ -match "^Read file $([regex]::Escape($root))/etc/sysctl\.d/99-forward\.conf: \d+\.\d ms \(\d+ chars\)$" })
            $v -match "^Read file $([regex]::Escape($root))/etc/sysctl\.d/: \d+\.\d ms \(\d+ entries\)$" | Should -Not -BeNullOrEmpty
            $v -match "^Read file $([regex]::Escape($root))/proc/sys/net/ipv4/ip_forward: \d+\.\d ms" | Should -Not -BeNullOrEmpty
            # Without -Verbose nothing is timed or written.
            @(Get-IpForward -Root $root 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }) | Should -BeNullOrEmpty
        }
        finally { Remove-Item $root -Recurse -Force -ErrorAction Ignore }
    }

    It 'Get-DockerPublishedPort -Verbose names the Engine API request it tried, with its duration' {
        $v = @(Get-DockerPublishedPort -Socket /nonexistent/docker.sock -Verbose -ErrorAction SilentlyContinue 4>&1 |
            Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
        $v -match '^Read Engine API GET /version on /nonexistent/docker\.sock: \d+\.\d ms \(failed: DockerEngineUnavailableException\)$' | Should -Not -BeNullOrEmpty
    }

    It '$VerbosePreference = Continue turns it on as -Verbose does' {
        $VerbosePreference = 'Continue'
        $v = @(Get-DockerPublishedPort -Socket /nonexistent/docker.sock -ErrorAction SilentlyContinue 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] })
        $VerbosePreference = 'SilentlyContinue'
        $v.Message -match '^Read Engine API' | Should -Not -BeNullOrEmpty
    }
}

Describe 'Watch-DockerHostNetState -Socket' -Tag 'ErrorPolicy' {
    It 'is validated as the Docker commands validate it: <Label>' -ForEach @(
        @{ Label = 'a relative path'; Value = 'relative/docker.sock' }, @{ Label = 'white space'; Value = " `t" }, @{ Label = 'a NUL'; Value = "/run/do`0cker.sock" }
    ) {
        { Watch-DockerHostNetState -Socket $Value -Duration 1 -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentValidationError,DockerHostTools.Commands.WatchDockerHostNetStateCommand'
        { Get-DockerPublishedPort -Socket $Value -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentValidationError,DockerHostTools.Commands.GetDockerPublishedPortCommand'
    }

    It 'defaults to the socket the Docker commands use' {
        (Get-Command Watch-DockerHostNetState).Parameters['Socket'].ParameterType | Should -Be ([string])
        $w = (Get-Command Watch-DockerHostNetState).ImplementingType::new()
        $w.Socket | Should -Be ((Get-Command Get-DockerPublishedPort).ImplementingType::new().Socket)
    }
}
