# Firewalld commands against a REAL firewalld (1.3 on Debian 12) in the netns lab (tests/lab/netns, Recipe 3):
# its own mount namespace, system D-Bus and /etc/firewalld. Run once per FirewallBackend. Needs root.
BeforeDiscovery {
    $script:backends = @(@{ Backend = 'nftables' }, @{ Backend = 'iptables' })
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'lab/FirewalldLab.psm1') -Force
    $script:prefix = Get-FirewalldLabPrefix
    $script:extIf = "$($prefix)h-ext"
    $script:bridge = "$($prefix)docker0"

    function script:Query([string[]] $Arguments) {
        $r = Invoke-FirewallCmdInLab @Arguments
        switch ($r.ExitCode) { 0 { $true } 1 { $false } default { throw "firewall-cmd $Arguments -> $($r.ExitCode): $($r.Error)" } }
    }
}

Describe 'Firewalld commands on a real firewalld, FirewallBackend=<Backend>' -Tag 'Lab', 'Firewalld' -ForEach $backends {
    BeforeAll {
        Start-FirewalldLab -Backend $Backend
        # A default route towards the lab's outside namespace, so "the interface of the default route" is the outside
        # veth (no traffic is sent by these tests; 198.51.100.0/24 is a documentation range).
        Invoke-FirewalldLabHost ip route add default via 198.51.100.2 | Out-Null
        # What dockerd does with firewalld running: a permanent zone docker (target ACCEPT) holding the bridge.
        foreach ($a in @('--permanent', '--new-zone=docker'), @('--permanent', '--zone=docker', '--set-target=ACCEPT'),
            @('--permanent', '--zone=docker', "--add-interface=$bridge"), @('--reload')) {
            $r = Invoke-FirewallCmdInLab @a
            if ($r.ExitCode -ne 0) { throw "lab setup: firewall-cmd $a -> $($r.ExitCode) $($r.Error)" }
        }
    }

    AfterAll {
        Stop-FirewalldLab
    }

    It 'completes zone names (Tab) from the running firewalld, as firewall-cmd --get-zones lists them' {
        $zones = @((Invoke-FirewallCmdInLab --get-zones).Output -split '\s+' | Where-Object { $_ } | Sort-Object)
        $r = Invoke-ModuleInFirewalldLab @'
function Complete([string] $Line) { @((TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches.CompletionText) }
@{ Zone = Complete 'Get-FirewalldZone '; Add = Complete 'Add-FirewalldPort 5000 -Zone '; Prefix = Complete 'Test-FirewalldPort 5000 -Zone p' }
'@
        @($r.Zone | Sort-Object) | Should -Be $zones
        @($r.Add | Sort-Object) | Should -Be $zones
        $r.Add | Should -Contain 'docker'
        @($r.Prefix) | Should -Be @($zones | Where-Object { $_ -like 'p*' })
    }

    It 'Get-FirewalldState reads the running firewalld: version, backend, default and active zones, both configurations' {
        $s = Invoke-ModuleInFirewalldLab 'Get-FirewalldState'
        $s.State | Should -Be 'Running'
        $s.Backend | Should -Be $Backend
        $s.Version | Should -Be (Invoke-FirewallCmdInLab --version).Output
        $s.DefaultZone | Should -Be (Invoke-FirewallCmdInLab --get-default-zone).Output
        $s.ActiveZones | Should -Contain 'docker'
        $s.Zones.Name | Should -Contain 'public'
        $s.PermanentZones.Name | Should -Contain 'docker'
        ($s.Zones | Where-Object Name -eq 'docker').Interfaces | Should -Be @($bridge)
        ($s.Zones | Where-Object Name -eq 'docker').Target | Should -Be 'ACCEPT'
        $s.ZonesReadWith | Should -Be 'dbus'
    }

    It 'Add-FirewalldPort opens a port in both configurations, then reports no change (idempotent)' {
        $r = Invoke-ModuleInFirewalldLab @'
            $first = Add-FirewalldPort 5000 -PassThru -Confirm:$false
            $second = Add-FirewalldPort 5000 -Protocol tcp -PassThru -Confirm:$false
            @{ First = $first; Second = $second }
'@
        $r.First.Changed | Should -Be @($true, $true)
        $r.First.Configuration | Should -Be @('Runtime', 'Permanent')
        $r.Second.Changed | Should -Be @($false, $false)
        Query '--zone=public', '--query-port=5000/tcp' | Should -BeTrue
        Query '--permanent', '--zone=public', '--query-port=5000/tcp' | Should -BeTrue
    }

    It 'Test-FirewalldPort finds the zone of the default route''s interface (bound to no zone: the default zone)' {
        $t = Invoke-ModuleInFirewalldLab 'Test-FirewalldPort 5000'
        $t.Interface | Should -Be $extIf
        $t.Zone | Should -Be 'public'
        $t.IsOpen | Should -BeTrue
        $t.RuntimeOpenBy | Should -Be 'port 5000/tcp'
    }

    It 'ranges and the protocols udp, sctp and dccp; -Runtime and -Permanent alone make drift that Get-FirewalldPort shows' {
        $r = Invoke-ModuleInFirewalldLab @'
            Add-FirewalldPort 8000-8010 -Protocol udp -Permanent -Confirm:$false
            Add-FirewalldPort 7000/sctp -Runtime -Confirm:$false
            Add-FirewalldPort 6000 -Protocol dccp -Confirm:$false
            @{ Ports = Get-FirewalldPort -Zone public; Drift = Get-FirewalldPort -Drift; Range = Test-FirewalldPort 8005 -Protocol udp -Zone public }
'@
        $range = $r.Ports | Where-Object { $_.Port -eq '8000-8010' -and $_.Protocol -eq 'udp' }
        $range.Runtime | Should -BeFalse
        $range.Permanent | Should -BeTrue
        $sctp = $r.Ports | Where-Object Protocol -eq 'sctp'
        ($sctp.Runtime, $sctp.Permanent) | Should -Be @($true, $false)
        $dccp = $r.Ports | Where-Object Protocol -eq 'dccp'
        ($dccp.Runtime, $dccp.Permanent) | Should -Be @($true, $true)
        @($r.Drift | ForEach-Object { "$($_.Zone) $($_.Port)/$($_.Protocol)" }) | Should -Be @('public 7000/sctp', 'public 8000-8010/udp')
        $r.Range.PermanentOpenBy | Should -Be 'port 8000-8010/udp'
        $r.Range.Runtime | Should -BeFalse
        Query '--permanent', '--zone=public', '--query-port=8000-8010/udp' | Should -BeTrue
        Query '--zone=public', '--query-port=8000-8010/udp' | Should -BeFalse
    }

    It 'zones read over D-Bus in process, through busctl and with firewall-cmd are equal, both configurations' {
        # The same state read three times: over D-Bus in process (the module's own connection), through busctl
        # (DOCKERHOSTTOOLS_NO_DBUS=1), then with busctl out of reach too (PATH holds only firewall-cmd), which is the
        # road firewalld 0.6 or a host without busctl takes. The lab has drift here (the previous test).
        (Invoke-FirewallCmdInLab --zone=dmz --add-rich-rule='rule priority="2" family="ipv4" source address="203.0.113.9" drop').ExitCode | Should -Be 0
        (Invoke-FirewallCmdInLab --permanent --zone=dmz --add-forward-port=port=2222:proto=tcp:toport=22:toaddr=192.0.2.2).ExitCode | Should -Be 0
        $r = Invoke-ModuleInFirewalldLab @'
            $dbus = Get-FirewalldState
            $env:DOCKERHOSTTOOLS_NO_DBUS = '1'
            $bus = Get-FirewalldState
            $dir = Join-Path ([IO.Path]::GetTempPath()) "dht-nobusctl-$PID"
            New-Item -ItemType Directory $dir | Out-Null
            New-Item -ItemType SymbolicLink -Path (Join-Path $dir 'firewall-cmd') -Target (Get-Command firewall-cmd).Source | Out-Null
            $path = $env:PATH
            try { $env:PATH = $dir; $cmd = Get-FirewalldState } finally { $env:PATH = $path; Remove-Item $dir -Recurse -Force; $env:DOCKERHOSTTOOLS_NO_DBUS = $null }
            $json = { param($s) @($s.Zones) + @($s.PermanentZones) | ConvertTo-Json -Depth 6 -EnumsAsStrings }
            @{ DBus = $dbus.ZonesReadWith; Bus = $bus.ZonesReadWith; Cmd = $cmd.ZonesReadWith; DBusZones = & $json $dbus; BusZones = & $json $bus; CmdZones = & $json $cmd
               Active = @(($dbus.ActiveZones -join ','), ($bus.ActiveZones -join ','), ($cmd.ActiveZones -join ',')); Default = @($dbus.DefaultZone, $cmd.DefaultZone) }
'@
        $r.DBus | Should -Be 'dbus'
        $r.Bus | Should -Be 'busctl'
        $r.Cmd | Should -Be 'firewall-cmd'
        $r.DBusZones | Should -Match '203\.0\.113\.9'
        $r.DBusZones | Should -Match 'toaddr=192\.0\.2\.2'
        $r.DBusZones | Should -Be $r.CmdZones
        $r.BusZones | Should -Be $r.CmdZones
        $r.Active[0] | Should -Be $r.Active[2]
        $r.Active[1] | Should -Be $r.Active[2]
        $r.Default[0] | Should -Be $r.Default[1]
    }

    It 'after firewall-cmd --reload the runtime-only port is gone and the permanent-only one is in force' {
        (Invoke-FirewallCmdInLab --reload).ExitCode | Should -Be 0
        $r = Invoke-ModuleInFirewalldLab '@{ Sctp = Test-FirewalldPort 7000 -Protocol sctp -Zone public; Range = Test-FirewalldPort 8000-8010 -Protocol udp -Zone public; Drift = @(Get-FirewalldPort -Drift) }'
        $r.Sctp.Runtime | Should -BeFalse
        $r.Sctp.Permanent | Should -BeFalse
        $r.Range.IsOpen | Should -BeTrue
        $r.Drift | Should -BeNullOrEmpty
    }

    It 'a service opens its ports: Get-FirewalldPort names it' {
        (Invoke-FirewallCmdInLab --zone=public --add-service=http).ExitCode | Should -Be 0
        $r = Invoke-ModuleInFirewalldLab '@{ Ports = Get-FirewalldPort -Zone public -Port 80; Test = Test-FirewalldPort 80 -Zone public }'
        $http = $r.Ports | Where-Object Service -eq 'http'
        $http.Source | Should -Be 'Service'
        ($http.Runtime, $http.Permanent) | Should -Be @($true, $false)
        $r.Test.RuntimeOpenBy | Should -Be 'service http'
    }

    It 'Remove-FirewalldPort closes it in both configurations, then reports no change; -WhatIf changes nothing' {
        $r = Invoke-ModuleInFirewalldLab @'
            $whatIf = Remove-FirewalldPort 5000 -WhatIf
            $stillOpen = (Test-FirewalldPort 5000 -Zone public).IsOpen
            $first = Remove-FirewalldPort 5000 -PassThru -Confirm:$false
            $second = Remove-FirewalldPort 5000 -PassThru -Confirm:$false
            @{ WhatIf = $whatIf; StillOpen = $stillOpen; First = $first; Second = $second }
'@
        $r.WhatIf | Should -BeNullOrEmpty
        $r.StillOpen | Should -BeTrue
        $r.First.Changed | Should -Be @($true, $true)
        $r.Second.Changed | Should -Be @($false, $false)
        Query '--zone=public', '--query-port=5000/tcp' | Should -BeFalse
        Query '--permanent', '--zone=public', '--query-port=5000/tcp' | Should -BeFalse
    }

    It 'takes Port and Protocol by property name from the pipeline (PublicPort/Type, as Docker reports published ports)' {
        Invoke-ModuleInFirewalldLab @'
            @([pscustomobject]@{ PublicPort = 5001; Type = 'udp' }, [pscustomobject]@{ Port = '5002'; Protocol = 'tcp'; Zone = 'internal' }) |
                Add-FirewalldPort -Confirm:$false
'@ | Out-Null
        Query '--zone=public', '--query-port=5001/udp' | Should -BeTrue
        Query '--permanent', '--zone=internal', '--query-port=5002/tcp' | Should -BeTrue
    }

    It 'arrays of ports, positional and piped by value, each its own item; a bad one of several is its own error' {
        $r = Invoke-ModuleInFirewalldLab @'
            Add-FirewalldPort 5010, 5011 -Zone public -Confirm:$false
            '5012/udp', '5013' | Add-FirewalldPort -Zone public -Confirm:$false
            $errs = [System.Collections.Generic.List[object]]::new()
            Add-FirewalldPort 5014, 0, 5015 -Zone public -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable +errs
            $tests = @(Test-FirewalldPort 5010, 5011, '5012/udp', 5013, 5014, 5015 -Zone public)
            $removed = @(5010, 5011 | Remove-FirewalldPort -Zone public -Runtime -Confirm:$false -PassThru)
            @{ Tests = $tests; Errs = @($errs | ForEach-Object { @{ Id = $_.FullyQualifiedErrorId; Target = "$($_.TargetObject)"; Text = "$_" } }); Removed = $removed }
'@
        $r.Tests.IsOpen | Should -Be @($true, $true, $true, $true, $true, $true)
        ($r.Tests | ForEach-Object { "$($_.Port)/$($_.Protocol)" }) | Should -Be @('5010/tcp', '5011/tcp', '5012/udp', '5013/tcp', '5014/tcp', '5015/tcp')
        $r.Errs.Count | Should -Be 1
        $r.Errs[0].Id | Should -Be 'InvalidPort,DockerHostTools.Commands.AddFirewalldPortCommand'
        $r.Errs[0].Target | Should -Be '0'
        $r.Errs[0].Text | Should -BeLike '*Nothing was changed.'
        ($r.Removed | ForEach-Object { "$($_.Port) $($_.Configuration) $($_.Changed)" }) | Should -Be @('5010 Runtime True', '5011 Runtime True')
        foreach ($p in '5013/tcp', '5014/tcp', '5015/tcp', '5012/udp') { Query '--zone=public', "--query-port=$p" | Should -BeTrue }
        Query '--zone=public', '--query-port=5010/tcp' | Should -BeFalse
        Query '--permanent', '--zone=public', '--query-port=5010/tcp' | Should -BeTrue
    }

    It 'a conflicting protocol (5016/tcp -Protocol udp) is ConflictingProtocol, InvalidArgument, and nothing is changed' {
        $r = Invoke-ModuleInFirewalldLab @'
            try { Add-FirewalldPort 5016/tcp -Protocol udp -Zone public -Confirm:$false -ErrorAction Stop; 'no error' }
            catch { @{ Id = $_.FullyQualifiedErrorId; Category = "$($_.CategoryInfo.Category)"; Target = "$($_.TargetObject)"; Text = "$_" } }
'@
        $r.Id | Should -Be 'ConflictingProtocol,DockerHostTools.Commands.AddFirewalldPortCommand'
        $r.Category | Should -Be 'InvalidArgument'
        $r.Target | Should -Be '5016/tcp'
        $r.Text | Should -BeLike '*Nothing was changed.'
        foreach ($p in '5016/tcp', '5016/udp') {
            Query '--zone=public', "--query-port=$p" | Should -BeFalse
            Query '--permanent', '--zone=public', "--query-port=$p" | Should -BeFalse
        }
    }

    It 'Get-FirewalldPort -Zone nosuch: the same InvalidZone error as Get-FirewalldZone nosuch; the other zones still listed' {
        $r = Invoke-ModuleInFirewalldLab @'
            function Err([scriptblock] $Block) {
                $ErrorActionPreference = 'Continue'
                $e = [System.Collections.Generic.List[object]]::new()
                $out = @(& $Block 2>&1 | ForEach-Object { if ($_ -is [System.Management.Automation.ErrorRecord]) { $e.Add($_) } else { $_ } })
                @{ Out = $out.Count; Errors = @($e | ForEach-Object { @{ Id = $_.FullyQualifiedErrorId -replace ',.*'; Category = "$($_.CategoryInfo.Category)"; Target = "$($_.TargetObject)"; Text = $_.Exception.Message } }) }
            }
            @{ Port = Err { Get-FirewalldPort -Zone nosuch }; Zone = Err { Get-FirewalldZone nosuch }; Both = Err { Get-FirewalldPort -Zone nosuch, docker, public } }
'@
        $r.Port.Errors.Count | Should -Be 1
        $r.Port.Out | Should -Be 0
        $r.Port.Errors[0].Id | Should -Be 'InvalidZone'
        $r.Port.Errors[0].Category | Should -Be 'ObjectNotFound'
        $r.Port.Errors[0].Target | Should -Be 'nosuch'
        $r.Port.Errors[0].Id | Should -Be $r.Zone.Errors[0].Id
        $r.Port.Errors[0].Category | Should -Be $r.Zone.Errors[0].Category
        $r.Port.Errors[0].Text | Should -Be $r.Zone.Errors[0].Text
        $r.Port.Errors[0].Text | Should -Not -BeLike '*Nothing was changed*'
        $r.Both.Errors.Count | Should -Be 1
        $r.Both.Out | Should -BeGreaterThan 0
    }

    It 'the read commands under -Verbose say what they asked firewalld and which files they read, with durations' {
        $r = Invoke-ModuleInFirewalldLab @'
            function V([scriptblock] $Block) { @(& $Block -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message) }
            @{ State = V { Get-FirewalldState }; Port = V { Get-FirewalldPort }; Test = V { Test-FirewalldPort 5000 }; Chain = V { Get-DockerChain -Socket /nonexistent/docker.sock } }
'@
        $r.State -match '^Read D-Bus org\.fedoraproject\.FirewallD1 /org/fedoraproject/FirewallD1 .*: \d+\.\d ms$' | Should -Not -BeNullOrEmpty
        $r.Port -match '^Read file /(usr/lib|etc)/firewalld/services/: \d+\.\d ms \(\d+ entries\)$' | Should -Not -BeNullOrEmpty
        $r.Test -match '^Read file /proc/net/route: \d+\.\d ms' | Should -Not -BeNullOrEmpty
        $r.Chain -match '^Read program \S*iptables-save.*: \d+\.\d ms \(exit 0\)$' | Should -Not -BeNullOrEmpty
        $r.Chain -match '^Read Engine API GET /version on /nonexistent/docker\.sock: \d+\.\d ms \(failed: DockerEngineUnavailableException\)$' | Should -Not -BeNullOrEmpty
    }

    It 'a zone that does not exist: InvalidZone from every command, nothing changed' {
        $r = Invoke-ModuleInFirewalldLab @'
            $ids = foreach ($c in { Add-FirewalldPort 5003 -Zone nosuch -Confirm:$false }, { Remove-FirewalldPort 5003 -Zone nosuch -Confirm:$false },
                { Test-FirewalldPort 5003 -Zone nosuch }, { Get-FirewalldZone nosuch }) {
                try { & $c -ErrorAction Stop; 'no error' } catch { $_.FullyQualifiedErrorId }
            }
            @{ Ids = $ids; Zones = (Get-FirewalldState).Zones.Name }
'@
        $r.Ids | Should -Be @('InvalidZone,DockerHostTools.Commands.AddFirewalldPortCommand', 'InvalidZone,DockerHostTools.Commands.RemoveFirewalldPortCommand',
            'InvalidZone,DockerHostTools.Commands.TestFirewalldPortCommand', 'InvalidZone,DockerHostTools.Commands.GetFirewalldZoneCommand')
        $r.Zones | Should -Not -Contain 'nosuch'
        (Invoke-FirewallCmdInLab --get-zones).Output | Should -Not -Match 'nosuch'
    }

    It 'an interface moved to another zone: Test-FirewalldPort follows it' {
        (Invoke-FirewallCmdInLab --zone=internal "--change-interface=$extIf").ExitCode | Should -Be 0
        try {
            $r = Invoke-ModuleInFirewalldLab "@{ T = Test-FirewalldPort 5002 -Interface $extIf; D = Test-FirewalldPort 5002 -Interface $bridge; Z = Get-FirewalldZone internal }"
            $r.T.Zone | Should -Be 'internal'
            $r.T.ZoneReason | Should -BeLike '*bound*'
            $r.T.Permanent | Should -BeTrue
            $r.T.Runtime | Should -BeTrue
            $r.D.Zone | Should -Be 'docker'
            $r.D.RuntimeOpenBy | Should -Be 'target ACCEPT'
            $r.Z.Interfaces | Should -Contain $extIf
            $r.Z.IsActive | Should -BeTrue
        }
        finally { Invoke-FirewallCmdInLab --zone=internal "--remove-interface=$extIf" | Out-Null }
    }

    It 'an interface that does not exist: InterfaceNotFound' {
        $id = Invoke-ModuleInFirewalldLab 'try { Test-FirewalldPort 5000 -Interface nosuch0 -ErrorAction Stop } catch { $_.FullyQualifiedErrorId }'
        $id | Should -Be 'InterfaceNotFound,DockerHostTools.Commands.TestFirewalldPortCommand'
    }

    It 'not root: Add-FirewalldPort stops with NotRoot and changes nothing' {
        $id = Invoke-ModuleInFirewalldLab -User 65534 'try { Add-FirewalldPort 5004 -Confirm:$false -ErrorAction Stop; "no error" } catch { $_.FullyQualifiedErrorId }'
        $id | Should -BeIn @('NotRoot,DockerHostTools.Commands.AddFirewalldPortCommand')
        Query '--zone=public', '--query-port=5004/tcp' | Should -BeFalse
    }

    It 'a stopped firewalld is a state; the commands that need it stop with FirewalldNotRunning' {
        (Invoke-FirewalldLabHost systemctl stop firewalld).ExitCode | Should -Be 0
        try {
            $r = Invoke-ModuleInFirewalldLab @'
                $ids = foreach ($c in { Add-FirewalldPort 5005 -Confirm:$false }, { Remove-FirewalldPort 5005 -Permanent -Confirm:$false },
                    { Get-FirewalldZone }, { Get-FirewalldPort }) {
                    try { & $c -ErrorAction Stop; 'no error' } catch { $_.FullyQualifiedErrorId }
                }
                @{ State = Get-FirewalldState; Ids = $ids; Test = Test-FirewalldPort 5005 -Zone public }
'@
            $r.State.State | Should -Be 'NotRunning'
            $r.State.DefaultZone | Should -Be 'public'
            $r.State.Backend | Should -Be $Backend
            $r.Ids | Should -Be @('FirewalldNotRunning,DockerHostTools.Commands.AddFirewalldPortCommand', 'FirewalldNotRunning,DockerHostTools.Commands.RemoveFirewalldPortCommand',
                'FirewalldNotRunning,DockerHostTools.Commands.GetFirewalldZoneCommand', 'FirewalldNotRunning,DockerHostTools.Commands.GetFirewalldPortCommand')
            $r.Test.FirewalldState | Should -Be 'NotRunning'
            # It neither opens nor blocks: no verdict, and the message says why, consistently.
            $null -eq $r.Test.IsOpen | Should -BeTrue
            $null -eq $r.Test.Runtime | Should -BeTrue
            $null -eq $r.Test.Permanent | Should -BeTrue
            $r.Test.RuntimeOpenBy | Should -BeNullOrEmpty
            $r.Test.Message | Should -BeLike 'firewalld is not running (NotRunning); it filters nothing*'
            $r.Test.Message | Should -Not -BeLike '*Nothing was changed*'
            # Reading asked firewalld's name on the bus with NO_AUTO_START: nothing started it again.
            (Invoke-FirewalldLabHost busctl --system --auto-start=no status org.fedoraproject.FirewallD1).ExitCode | Should -Not -Be 0
        }
        finally { Invoke-FirewalldLabHost systemctl start firewalld | Out-Null }
    }
}
