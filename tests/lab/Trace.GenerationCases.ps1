# Issue 17 proofs on each generation's nspawn Docker host, dot-sourced by DockerHost.Lab.Tests.ps1 so that they run in
# the machines that file boots (one boot per generation for both; tests/Trace.Lab.Tests.ps1 holds the Recipe 2 cases).
# One child pwsh per generation runs every case in the machine, one after the other: the fault is made, the trace is
# started, then the outside client (198.51.100.2, its netns bound into the machine) runs curl once a second while the
# trace waits, the fault is undone; the Its below judge what each case returned. The trace table must be gone after
# every case, after Ctrl+C (the pipeline stopped) and after kill -9 of pwsh followed by a new run.

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
            function Invoke-Case([string] $Case, [scriptblock] $Make, [scriptblock] $Undo) {
                & $Make
                try {
                    $job = Start-Client
                    $p = @(Trace-DockerHostPort -Port 5000 -From 198.51.100.2 -Count 1 -Duration 20)
                    $codes = Stop-Client $job
                }
                finally { & $Undo }
                foreach ($x in $p) {
                    [pscustomobject]@{
                        Case = $Case; Outcome = "$($x.Outcome)"; Owner = "$($x.Owner)"; Chain = $x.DecidingStep.Chain; Table = $x.DecidingStep.Table
                        Rule = $x.DecidingStep.Rule; IsPolicy = [bool]$x.DecidingStep.IsPolicy; Reason = $x.Reason; Http = "$($codes | Select-Object -First 1)"
                        View = ($x | Out-String -Width 80).Trim(); TableAfter = Test-Table
                    }
                }
                if (-not $p) { [pscustomobject]@{ Case = $Case; Outcome = 'none'; TableAfter = Test-Table } }
            }
            function Invoke-TestCase([string] $Case, [scriptblock] $Make, [scriptblock] $Undo) {
                & $Make
                try {
                    $job = Start-Client
                    $f = @(Test-DockerHost -Port 5000 -Trace -Duration 20)
                    $null = Stop-Client $job
                }
                finally { & $Undo }
                [pscustomobject]@{ Case = $Case; Findings = @($f | ForEach-Object { [pscustomobject]@{ Id = $_.Id; Severity = "$($_.Severity)"; Evidence = "$($_.Evidence[-1])" } }); TableAfter = Test-Table }
            }
            $acc = @(iptables-save -t filter) | Where-Object { $_ -match '^-A DOCKER .*--dport 5000 .*-j ACCEPT' } | Select-Object -First 1
            $pol = (@(iptables-save -t filter) | Where-Object { $_ -like ':FORWARD *' }) -split ' ' | Select-Object -Index 1
            $del = @(($acc -replace '^-A', '-D') -split ' '); $ins = @(($acc -replace '^-A DOCKER', '-I DOCKER 1') -split ' ')

            Invoke-Case healthy {} {}
            Invoke-Case ipforward0 { sysctl -q -w net.ipv4.ip_forward=0 } { sysctl -q -w net.ipv4.ip_forward=1 }
            Invoke-Case dockeruser { iptables -I DOCKER-USER -p tcp --dport 5000 -j DROP } { iptables -D DOCKER-USER -p tcp --dport 5000 -j DROP }
            Invoke-Case forwarddrop { iptables -P FORWARD DROP; iptables @del } { iptables @ins; iptables -P FORWARD $pol }
            Invoke-Case healthyagain {} {}
            if ($gen -ne 'bookworm') {
                Invoke-Case strict { sed -i 's/^StrictForwardPorts=.*/StrictForwardPorts=yes/' /etc/firewalld/firewalld.conf; firewall-cmd -q --reload } {
                    sed -i 's/^StrictForwardPorts=.*/StrictForwardPorts=no/' /etc/firewalld/firewalld.conf; firewall-cmd -q --reload; Start-Sleep -Seconds 1 }
            }
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
