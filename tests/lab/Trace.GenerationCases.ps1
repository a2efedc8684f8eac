# Issue 17 proofs on each generation's nspawn Docker host, dot-sourced by DockerHost.Lab.Tests.ps1 so that they run in
# the machines that file boots (one boot per generation for both; tests/Trace.Lab.Tests.ps1 holds the Recipe 2 cases).
# One child pwsh per generation runs every case in the machine, one after the other: the fault is made, the trace is
# started, then the outside client (198.51.100.2, its netns bound into the machine) runs curl once a second while the
# trace waits, the fault is undone; the Its below judge what each case returned. The trace table must be gone after
# every case, after Ctrl+C (the pipeline stopped) and after kill -9 of pwsh followed by a new run. A case made with -Test
# also runs Test-DockerHost -Trace in the same state (its finding confirmed by the kernel), before the fault is undone.
# Each case says how long it took (Seconds), printed below: the lab time of the trace cases.

Describe 'Trace-DockerHostPort and Test-DockerHost -Trace on the real lab Docker host (<Generation>)' -Tag 'Lab' -ForEach $generations {
    BeforeAll {
        Use-Lab $Generation
        Reset-Healthy
        $r = Invoke-DockerLabPwsh $lab {
            param($ext, $gen)
            $ErrorActionPreference = 'Stop'
            function Test-Table { "$(nft list tables)" -match 'dht_trace' }
            function Start-Client {
                # The outside client: a new connection every second until stopped (the first one the trace sees counts).
                Start-ThreadJob { param($ext) while ($true) { & nsenter "--net=$ext" curl -s -m 1 -o /dev/null -w '%{http_code}\n' http://198.51.100.10:5000/v2/; Start-Sleep -Milliseconds 700 } } -ArgumentList $ext
            }
            function Stop-Client($job) { $codes = @($job | Stop-Job -PassThru | Receive-Job); $job | Remove-Job; @($codes | Where-Object { $_ }) }
            function Get-Http { & nsenter "--net=$ext" curl -s -m 1 -o /dev/null -w '%{http_code}' http://198.51.100.10:5000/v2/ }
            function Get-FindingView($f) { @($f | ForEach-Object { [pscustomobject]@{ Id = $_.Id; Severity = "$($_.Severity)"; Evidence = "$($_.Evidence[-1])" } }) }
            function Get-PacketView([string] $Case, $p, $codes, [double] $sec) {
                foreach ($x in $p) {
                    [pscustomobject]@{
                        Case = $Case; Outcome = "$($x.Outcome)"; Owner = "$($x.Owner)"; Chain = $x.DecidingStep.Chain; Table = $x.DecidingStep.Table
                        Rule = $x.DecidingStep.Rule; IsPolicy = [bool]$x.DecidingStep.IsPolicy; Reason = $x.Reason; Http = "$($codes | Select-Object -First 1)"
                        TranslatedTo = $x.TranslatedTo; OutInterface = $x.OutInterface; Protocol = $x.Protocol
                        Hooks = @($x.Path | ForEach-Object { "$($_.Hook)" }); View = ($x | Out-String -Width 80).Trim(); TableAfter = Test-Table; Seconds = $sec
                    }
                }
                if (-not $p) { [pscustomobject]@{ Case = $Case; Outcome = 'none'; TableAfter = Test-Table; Seconds = $sec } }
            }
            function Invoke-Case([string] $Case, [scriptblock] $Make, [scriptblock] $Undo, [switch] $Test) {
                $sw = [Diagnostics.Stopwatch]::StartNew()
                & $Make
                $f = @(); $testSec = 0
                try {
                    $job = Start-Client
                    $p = @(Trace-DockerHostPort -Port 5000 -From 198.51.100.2 -Count 1 -Duration 20)
                    # the same state, the same client still trying: Test-DockerHost -Trace's verdict on the findings
                    $t1 = $sw.Elapsed.TotalSeconds
                    if ($Test) { $f = @(Test-DockerHost -Port 5000 -Trace -Duration 20) }
                    $testSec = $sw.Elapsed.TotalSeconds - $t1
                    $codes = Stop-Client $job
                }
                finally { & $Undo }
                if ($Test) { [pscustomobject]@{ Case = "tdh-$Case"; Findings = Get-FindingView $f; TableAfter = Test-Table; Seconds = $testSec } }
                Get-PacketView $Case $p $codes ($sw.Elapsed.TotalSeconds - $testSec)
            }
            function Invoke-TestCase([string] $Case, [scriptblock] $Make, [scriptblock] $Undo) {
                $sw = [Diagnostics.Stopwatch]::StartNew()
                & $Make
                try {
                    $job = Start-Client
                    $f = @(Test-DockerHost -Port 5000 -Trace -Duration 20)
                    $null = Stop-Client $job
                }
                finally { & $Undo }
                [pscustomobject]@{ Case = $Case; Findings = Get-FindingView $f; TableAfter = Test-Table; Seconds = $sw.Elapsed.TotalSeconds }
            }
            $acc = @(iptables-save -t filter) | Where-Object { $_ -match '^-A DOCKER .*--dport 5000 .*-j ACCEPT' } | Select-Object -First 1
            $pol = (@(iptables-save -t filter) | Where-Object { $_ -like ':FORWARD *' }) -split ' ' | Select-Object -Index 1
            $del = @(($acc -replace '^-A', '-D') -split ' '); $ins = @(($acc -replace '^-A DOCKER', '-I DOCKER 1') -split ' ')

            Invoke-Case healthy {} {}
            Invoke-Case ipforward0 { sysctl -q -w net.ipv4.ip_forward=0 } { sysctl -q -w net.ipv4.ip_forward=1 }
            Invoke-Case dockeruser { iptables -I DOCKER-USER -p tcp --dport 5000 -j DROP } { iptables -D DOCKER-USER -p tcp --dport 5000 -j DROP }
            Invoke-Case forwarddrop -Test { iptables -P FORWARD DROP; iptables @del } { iptables @ins; iptables -P FORWARD $pol }
            Invoke-Case healthyagain {} {}
            if ($gen -ne 'bookworm') {
                Invoke-Case strict -Test { sed -i 's/^StrictForwardPorts=.*/StrictForwardPorts=yes/' /etc/firewalld/firewalld.conf; firewall-cmd -q --reload } {
                    sed -i 's/^StrictForwardPorts=.*/StrictForwardPorts=no/' /etc/firewalld/firewalld.conf; firewall-cmd -q --reload; Start-Sleep -Seconds 1 }
            }
            # A firewalld zone that rejects once the DNAT rule is gone: Docker's DNAT for 5000 deleted (what a firewalld
            # start does where dockerd does not put its rules back) and 5000/tcp not open in the outside zone at runtime;
            # undone by adding the same rule back and reopening the port, then the outside client must get 200 again.
            $dnat = @(iptables-save -t nat) | Where-Object { $_ -match '^-A DOCKER .*--dport 5000 .*-j DNAT' } | Select-Object -First 1
            $zone = "$(firewall-cmd --get-default-zone)".Trim()
            $open = "$(firewall-cmd --zone=$zone --query-port=5000/tcp)".Trim() -eq 'yes'
            $openPermanent = "$(firewall-cmd --permanent --zone=$zone --query-port=5000/tcp)".Trim() -eq 'yes'
            if (-not $dnat) { throw "no DNAT rule for 5000 in nat DOCKER to take away: $(@(iptables-save -t nat) -join '; ')" }
            $restored = @{ Http = $null }
            Invoke-Case dnatgone -Test {
                iptables -t nat @(($dnat -replace '^-A', '-D') -split ' ')
                # closed in both configurations (no reload): FirewalldPortClosed, not a drift between them
                if ($open) { firewall-cmd -q "--zone=$zone" --remove-port=5000/tcp }
                if ($openPermanent) { firewall-cmd -q --permanent "--zone=$zone" --remove-port=5000/tcp }
            } {
                iptables -t nat @($dnat -split ' ')
                if ($open) { firewall-cmd -q "--zone=$zone" --add-port=5000/tcp }
                if ($openPermanent) { firewall-cmd -q --permanent "--zone=$zone" --add-port=5000/tcp }
                $deadline = [DateTime]::UtcNow.AddSeconds(10)
                do { $restored.Http = Get-Http; if ($restored.Http -ne '200') { Start-Sleep -Milliseconds 200 } } while ($restored.Http -ne '200' -and [DateTime]::UtcNow -lt $deadline)
            }
            [pscustomobject]@{ Case = 'dnatgone-restored'; Dnat = $dnat; Zone = $zone; WasOpen = $open -and $openPermanent; Http = $restored.Http
                DnatAfter = @(@(iptables-save -t nat) | Where-Object { $_ -eq $dnat }).Count; OpenAfter = "$(firewall-cmd --zone=$zone --query-port=5000/tcp)".Trim()
                OpenPermanentAfter = "$(firewall-cmd --permanent --zone=$zone --query-port=5000/tcp)".Trim() }

            # udp: a container publishing 5353/udp, the outside client sending one datagram a second (bash's /dev/udp). Nothing
            # listens in it (Debian's static busybox of the lab image has no udp server): the container's kernel counts the
            # datagram as Udp NoPorts, which says it arrived in the container's namespace.
            $sw = [Diagnostics.Stopwatch]::StartNew()
            $null = docker rm -f dkudp 2>&1 # a leftover of an interrupted run
            $null = docker run -d --name dkudp --restart=no -p 5353:5353/udp dkbusybox:local sleep 300
            $job = $null
            try {
                $cpid = "$(docker inspect -f '{{.State.Pid}}' dkudp)".Trim()
                function Get-NoPorts { $l = @(Get-Content "/proc/$cpid/net/snmp" | Where-Object { $_ -like 'Udp: *' }); [long](($l[1] -split ' ')[[array]::IndexOf(($l[0] -split ' '), 'NoPorts')]) }
                $before = Get-NoPorts
                $job = Start-ThreadJob { param($ext) while ($true) { & nsenter "--net=$ext" bash -c 'echo dht > /dev/udp/198.51.100.10/5353'; Start-Sleep -Milliseconds 700 } } -ArgumentList $ext
                $p = @(Trace-DockerHostPort -Port 5353 -Protocol udp -From 198.51.100.2 -Count 1 -Duration 20)
                $null = Stop-Client $job
                $job = $null
                $noPorts = (Get-NoPorts) - $before
            }
            finally {
                if ($job) { $null = Stop-Client $job } # the sender stops even when the trace threw
                $null = docker rm -f dkudp
            }
            Get-PacketView udp $p @() $sw.Elapsed.TotalSeconds | Add-Member -PassThru NoPorts $noPorts
            Invoke-TestCase tdh-ipforward0 { sysctl -q -w net.ipv4.ip_forward=0; iptables -I DOCKER-USER -p tcp --dport 5000 -j DROP } {
                iptables -D DOCKER-USER -p tcp --dport 5000 -j DROP; sysctl -q -w net.ipv4.ip_forward=1 }
            Invoke-TestCase tdh-dockeruser { iptables -I DOCKER-USER -p tcp --dport 5000 -j DROP } { iptables -D DOCKER-USER -p tcp --dport 5000 -j DROP }

            # Ctrl+C: the pipeline of a trace that waits is stopped.
            $path = (Get-Module DockerHostTools).Path
            $ps = [powershell]::Create().AddScript("Import-Module '$path'; Trace-DockerHostPort 5000 -Duration 60")
            $null = $ps.BeginInvoke()
            $deadline = [DateTime]::UtcNow.AddSeconds(20)
            while (-not (Test-Table) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
            $armed = Test-Table
            $ps.Stop(); $ps.Dispose()
            $afterStop = Test-Table
            # kill -9 of a pwsh whose trace waits, then a new run.
            $dotnet = (Get-Process -Id $PID).Path; $dll = [Environment]::GetCommandLineArgs()[0]
            $proc = Start-Process -PassThru -FilePath $dotnet -ArgumentList @($dll, '-NoProfile', '-Command', "Import-Module '$path'; Trace-DockerHostPort 5000 -Duration 60")
            $deadline = [DateTime]::UtcNow.AddSeconds(30)
            while (-not (Test-Table) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
            $armedKilled = "$(nft list table inet dht_trace)" -match "pid $($proc.Id)"
            & kill -9 $proc.Id; $proc.WaitForExit()
            $afterKill = Test-Table
            $null = Trace-DockerHostPort 5000 -Duration 1 -Count 1
            [pscustomobject]@{ Case = 'stop'; Armed = $armed; AfterStop = $afterStop; ArmedKilled = $armedKilled; AfterKill = $afterKill; AfterNext = Test-Table }
        } -ArgumentList $lab.ExtNetnsInside, $Generation
        $r.Errors | Should -BeNullOrEmpty
        $script:cases = @($r.Output)
        function Get-Case([string] $Name) { $c = @($cases | Where-Object Case -eq $Name); $c.Count | Should -Be 1 -Because "one traced packet for $Name"; $c[0] }
        foreach ($c in $cases | Where-Object View) { Write-Host "--- $Generation $($c.Case): $($c.Outcome)`n$($c.View)" }
        foreach ($c in $cases | Where-Object Findings) { $c.Findings | ForEach-Object { Write-Host "--- $Generation $($c.Case): $($_.Severity) $($_.Id): $($_.Evidence)" } }
        Write-Host "--- $Generation seconds per case: $(@($cases | Where-Object { $_.PSObject.Properties['Seconds'] } | ForEach-Object { '{0} {1:0.0}' -f $_.Case, $_.Seconds }) -join ', ')"
    }
    AfterAll { Invoke-Host nft list tables | Should -Not -Match 'dht_trace' }

    It 'the trace table is gone after every case' {
        @($cases | Where-Object { $_.PSObject.Properties['TableAfter'] -and $_.TableAfter }) | Should -BeNullOrEmpty
    }

    It 'a healthy host: Delivered through Docker''s DNAT and FORWARD, the outside client gets 200, the view fits 80 columns' {
        foreach ($n in 'healthy', 'healthyagain') {
            $t = Get-Case $n
            $t.Outcome | Should -Be 'Delivered'
            $t.Http | Should -Be '200'
            $t.View | Should -Match '(?m)^> forward'
            @($t.View -split "`n" | Where-Object { $_.TrimEnd().Length -gt 80 }) | Should -BeNullOrEmpty
        }
    }

    It 'ip_forward 0: NotForwarded after the DNAT in Docker''s nat DOCKER' {
        $t = Get-Case ipforward0
        $t.Outcome | Should -Be 'NotForwarded'
        $t.Chain | Should -Be 'DOCKER'
        $t.Owner | Should -Be 'Docker'
        $t.Http | Should -Be '000'
    }

    It 'an admin''s DROP in DOCKER-USER: DroppedByRule naming the rule and DOCKER-USER' {
        $t = Get-Case dockeruser
        $t.Outcome | Should -Be 'DroppedByRule'
        $t.Owner | Should -Be 'DockerUser'
        $t.Chain | Should -Be 'DOCKER-USER'
        $t.Rule | Should -Match 'tcp dport 5000 .*drop'
        $t.Reason | Should -Match 'DOCKER-USER'
        $t.Http | Should -Be '000'
    }

    It 'FORWARD policy DROP without Docker''s accept: DroppedByRule in FORWARD (Docker 28: its own drop in DOCKER)' {
        $t = Get-Case forwarddrop
        $t.Outcome | Should -Be 'DroppedByRule'
        if ($Generation -eq 'docker28') { $t.Owner | Should -Be 'Docker'; $t.Chain | Should -Be 'DOCKER' }
        else { $t.IsPolicy | Should -BeTrue; $t.Chain | Should -Be 'FORWARD'; $t.Owner | Should -Be 'Other' }
    }

    It 'StrictForwardPorts=yes (firewalld 2.3+): Rejected by firewalld in filter_FORWARD_dnat' -Skip:($Generation -eq 'bookworm') {
        $t = Get-Case strict
        $t.Outcome | Should -Be 'Rejected'
        $t.Owner | Should -Be 'Firewalld'
        $t.Chain | Should -Be 'filter_FORWARD_dnat'
    }

    It 'Test-DockerHost -Trace: forwarding off confirms IpForwardDisabled and refutes the DOCKER-USER drop the packet never reached' {
        $f = (Get-Case tdh-ipforward0).Findings
        ($f | Where-Object Id -eq 'IpForwardDisabled').Evidence | Should -Match '^kernel trace of 5000/tcp: confirmed: 198\.51\.100\.2:\d+ NotForwarded'
        ($f | Where-Object Id -eq 'DockerUserDrop').Evidence | Should -Match '^kernel trace of 5000/tcp: refuted'
    }

    It 'Test-DockerHost -Trace confirms DockerUserDrop when it is what stops the packet' {
        ((Get-Case tdh-dockeruser).Findings | Where-Object Id -eq 'DockerUserDrop').Evidence |
            Should -Match '^kernel trace of 5000/tcp: confirmed: .*DroppedByRule: dropped by the admin''s DOCKER-USER'
    }

    It 'Test-DockerHost -Trace confirms ForwardPolicyDrop with the packet dropped in FORWARD' {
        ((Get-Case tdh-forwarddrop).Findings | Where-Object Id -eq 'ForwardPolicyDrop').Evidence |
            Should -Match '^kernel trace of 5000/tcp: confirmed: 198\.51\.100\.2:\d+ DroppedByRule: dropped by .* (FORWARD|DOCKER)'
    }

    It 'Test-DockerHost -Trace confirms FirewalldStrictForwardPorts with firewalld''s reject in FORWARD (firewalld 2.3+)' -Skip:($Generation -eq 'bookworm') {
        ((Get-Case tdh-strict).Findings | Where-Object Id -eq 'FirewalldStrictForwardPorts').Evidence |
            Should -Match '^kernel trace of 5000/tcp: confirmed: 198\.51\.100\.2:\d+ Rejected: rejected by firewalld in inet firewalld filter_FORWARD'
    }

    It 'a firewalld zone that rejects once the DNAT rule is gone: Rejected by firewalld in INPUT, no DNAT; 200 again once the rule and the port are back' {
        $t = Get-Case dnatgone
        $t.Outcome | Should -Be 'Rejected'
        $t.Owner | Should -Be 'Firewalld'
        $t.Table | Should -Be 'firewalld'
        $t.Chain | Should -Match '^filter_IN'
        $t.Rule | Should -Match 'reject'
        $t.TranslatedTo | Should -BeNullOrEmpty
        $t.Hooks | Should -Contain 'Input'
        $t.Hooks | Should -Not -Contain 'Forward'
        $t.Http | Should -Be '000'
        $o = Get-Case dnatgone-restored
        $o.WasOpen | Should -BeTrue -Because 'the healthy host has 5000/tcp open in the outside zone (runtime and permanent), so closing it is part of the case'
        $o.DnatAfter | Should -Be 1
        $o.OpenAfter | Should -Be 'yes'
        $o.OpenPermanentAfter | Should -Be 'yes'
        $o.Http | Should -Be '200'
    }

    It 'Test-DockerHost -Trace confirms DockerDnatMissing and FirewalldPortClosed with firewalld''s reject in INPUT' {
        $f = (Get-Case tdh-dnatgone).Findings
        ($f | Where-Object Id -eq 'DockerDnatMissing').Severity | Should -Be 'Error'
        ($f | Where-Object Id -eq 'DockerDnatMissing').Evidence | Should -Match '^kernel trace of 5000/tcp: confirmed: 198\.51\.100\.2:\d+ Rejected: rejected by firewalld in inet firewalld filter_IN'
        ($f | Where-Object Id -eq 'FirewalldPortClosed').Severity | Should -Be 'Error'
        ($f | Where-Object Id -eq 'FirewalldPortClosed').Evidence | Should -Match '^kernel trace of 5000/tcp: confirmed: .*Rejected: rejected by firewalld'
    }

    It 'udp: a datagram to a published 5353/udp is Delivered through Docker''s DNAT and FORWARD into the container' {
        $t = Get-Case udp
        $t.Protocol | Should -Be 'udp'
        $t.Outcome | Should -Be 'Delivered'
        $t.TranslatedTo | Should -Match '^192\.0\.2\.\d+:5353$'
        $t.Hooks | Should -Contain 'Forward'
        $t.Hooks | Should -Not -Contain 'Input'
        $t.OutInterface | Should -Be 'docker0'
        $t.View | Should -Match 'dnat to 192\.0\.2\.\d+:5353'
        $t.NoPorts | Should -BeGreaterOrEqual 1 -Because 'the container''s kernel counted the datagram (nothing listens in it)'
    }

    It 'Ctrl+C removes the table; kill -9 of pwsh leaves it (named by its pid), and the next run removes it' {
        $o = $cases | Where-Object Case -eq 'stop'
        $o.Armed | Should -BeTrue
        $o.AfterStop | Should -BeFalse -Because 'Ctrl+C removes the table'
        $o.ArmedKilled | Should -BeTrue -Because 'the table names the process that armed it'
        $o.AfterKill | Should -BeTrue -Because 'kill -9 gives the process no chance to clean up'
        $o.AfterNext | Should -BeFalse -Because 'the next run removes the table of the dead process'
    }

    It 'the outside client gets 200 again after the cases' { Wait-DockerLabHttpCode $lab | Should -Be '200' }
}
