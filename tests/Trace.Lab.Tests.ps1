# Issue 17 proofs: Trace-DockerHostPort on the real lab Docker host (Recipe 1, systemd-nspawn with systemd, firewalld,
# dockerd, the registry dkreg publishing 5000/tcp) of every generation (DHT_LAB_GENERATIONS; all when unset), each
# machine booted once for the file and every case run in that one boot; and on Recipe 2 with Docker's rules in
# iptables-legacy. In every case the trace is started first, then the outside client (198.51.100.2, its own netns, bound
# into the machine) runs curl while the trace waits; the trace table is gone afterwards, also after Ctrl+C and kill -9.
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'lab/DockerLab.psm1') -Force
    $generations = @(Get-NspawnLabGeneration)
}
BeforeAll {
    Import-Module $env:DHT_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'lab/DockerLab.psm1') -Force
    $script:labs = @(Start-NspawnLab -Generation @(Get-NspawnLabGeneration).Generation)
    function Use-Lab([string] $Generation) { $script:lab = $labs | Where-Object Generation -eq $Generation }
    function Invoke-Host { Invoke-DockerLabHost $lab @args }
    function Test-TraceTable { [bool](@(Invoke-Host nft list tables) -match 'dht_trace') }

    # In the machine: the trace starts, then (1.5 s later, in a thread job) the outside client runs curl; one packet.
    function Invoke-Trace {
        $r = Invoke-DockerLabPwsh $lab {
            param($ext)
            $client = Start-ThreadJob {
                param($ext) Start-Sleep -Milliseconds 1500
                & nsenter "--net=$ext" curl -s -m 3 -o /dev/null -w '%{http_code}' http://198.51.100.10:5000/v2/
            } -ArgumentList $ext
            $p = @(Trace-DockerHostPort -Port 5000 -From 198.51.100.2 -Count 1 -Duration 12)
            $http = "$($client | Receive-Job -Wait -AutoRemoveJob)"
            foreach ($x in $p) {
                [pscustomobject]@{
                    Outcome = "$($x.Outcome)"; Owner = "$($x.Owner)"; Chain = $x.DecidingStep.Chain; Table = $x.DecidingStep.Table
                    Rule = $x.DecidingStep.Rule; IsPolicy = [bool]$x.DecidingStep.IsPolicy; Reason = $x.Reason; Http = $http
                    View = ($x | Out-String -Width 80); Tables = "$(nft list tables)"
                }
            }
        } -ArgumentList $lab.ExtNetnsInside
        $r.Errors | Should -BeNullOrEmpty
        $out = @($r.Output)
        $out.Count | Should -Be 1 -Because 'the outside client''s one SYN is traced'
        Write-Host "--- $($lab.Generation): $($out[0].Outcome)`n$($out[0].View)"
        $out[0].Tables | Should -Not -Match 'dht_trace' -Because 'the trace table is removed when the trace ends'
        $out[0]
    }
}
AfterAll { $labs | Stop-NspawnLab }

Describe 'Trace-DockerHostPort on the real lab Docker host (<Generation>)' -Tag 'Lab' -ForEach $generations {
    BeforeAll { Use-Lab $Generation }
    AfterEach { Test-TraceTable | Should -BeFalse }

    It 'a healthy host: Delivered through Docker''s DNAT and FORWARD, the outside client gets 200' {
        $t = Invoke-Trace
        $t.Outcome | Should -Be 'Delivered'
        $t.Http | Should -Be '200'
        $t.View | Should -Match '(?m)^> forward'
        @($t.View -split "`n" | Where-Object { $_.TrimEnd().Length -gt 80 }) | Should -BeNullOrEmpty
    }

    It 'ip_forward 0: NotForwarded after the DNAT by Docker''s nat DOCKER' {
        Invoke-Host sysctl -q -w net.ipv4.ip_forward=0 | Out-Null
        try { $t = Invoke-Trace } finally { Invoke-Host sysctl -q -w net.ipv4.ip_forward=1 | Out-Null }
        $t.Outcome | Should -Be 'NotForwarded'
        $t.Chain | Should -Be 'DOCKER'
        $t.Http | Should -Be '000'
    }

    It 'an admin''s DROP in DOCKER-USER: DroppedByRule naming the rule and DOCKER-USER' {
        Invoke-Host iptables -I DOCKER-USER -p tcp --dport 5000 -j DROP | Out-Null
        try { $t = Invoke-Trace } finally { Invoke-Host iptables -D DOCKER-USER -p tcp --dport 5000 -j DROP | Out-Null }
        $t.Outcome | Should -Be 'DroppedByRule'
        $t.Owner | Should -Be 'DockerUser'
        $t.Chain | Should -Be 'DOCKER-USER'
        $t.Rule | Should -Match 'tcp dport 5000 .*drop'
        $t.Reason | Should -Match 'DOCKER-USER'
    }

    It 'FORWARD policy DROP without Docker''s accept: DroppedByRule in FORWARD' {
        $acc = @(Invoke-Host iptables-save -t filter) | Where-Object { $_ -match '^-A DOCKER .*--dport 5000 .*-j ACCEPT' } | Select-Object -First 1
        $acc | Should -Not -BeNullOrEmpty
        $pol = (@(Invoke-Host iptables-save -t filter) | Where-Object { $_ -like ':FORWARD *' }) -split ' ' | Select-Object -Index 1
        Invoke-Host iptables -P FORWARD DROP | Out-Null
        $del = @(($acc -replace '^-A', '-D') -split ' '); $ins = @(($acc -replace '^-A DOCKER', '-I DOCKER 1') -split ' ')
        Invoke-Host iptables @del | Out-Null
        try { $t = Invoke-Trace }
        finally {
            Invoke-Host iptables @ins | Out-Null
            Invoke-Host iptables -P FORWARD $pol | Out-Null
        }
        $t.Outcome | Should -Be 'DroppedByRule'
        if ($Generation -eq 'docker28') { $t.Owner | Should -Be 'Docker'; $t.Chain | Should -Be 'DOCKER' -Because 'Docker 28 ends DOCKER with its own drop for the bridge' }
        else { $t.IsPolicy | Should -BeTrue; $t.Chain | Should -Be 'FORWARD' }
        (Invoke-Trace).Outcome | Should -Be 'Delivered' -Because 'the accept and the policy are back'
    }

    It 'StrictForwardPorts=yes (firewalld 2.3+): Rejected by firewalld in FORWARD' -Skip:($Generation -eq 'bookworm') {
        Invoke-Host sed -i 's/^StrictForwardPorts=.*/StrictForwardPorts=yes/' /etc/firewalld/firewalld.conf | Out-Null
        Invoke-Host firewall-cmd -q --reload | Out-Null
        try { $t = Invoke-Trace }
        finally {
            Invoke-Host sed -i 's/^StrictForwardPorts=.*/StrictForwardPorts=no/' /etc/firewalld/firewalld.conf | Out-Null
            Invoke-Host firewall-cmd -q --reload | Out-Null
        }
        $t.Outcome | Should -Be 'Rejected'
        $t.Owner | Should -Be 'Firewalld'
        $t.Chain | Should -Be 'filter_FORWARD_dnat'
        Wait-DockerLabHttpCode $lab | Should -Be '200'
    }

    It 'Test-DockerHost -Trace confirms the finding of each cause with the kernel''s evidence (ip_forward 0; a DROP in DOCKER-USER)' {
        Invoke-Host sysctl -q -w net.ipv4.ip_forward=0 | Out-Null
        Invoke-Host iptables -I DOCKER-USER -p tcp --dport 5000 -j DROP | Out-Null
        try {
            $r = Invoke-DockerLabPwsh $lab {
                param($ext)
                # The client tries every 2 s while Test-DockerHost reads the host and then traces.
                $client = Start-ThreadJob {
                    param($ext) foreach ($i in 1..6) { Start-Sleep -Seconds 2; & nsenter "--net=$ext" curl -s -m 1 -o /dev/null http://198.51.100.10:5000/v2/ }
                } -ArgumentList $ext
                $f = @(Test-DockerHost -Port 5000 -Trace -Duration 15)
                $client | Stop-Job -PassThru | Remove-Job
                $f | ForEach-Object { [pscustomobject]@{ Id = $_.Id; Severity = "$($_.Severity)"; Evidence = @($_.Evidence) } }
            } -ArgumentList $lab.ExtNetnsInside
        }
        finally {
            Invoke-Host iptables -D DOCKER-USER -p tcp --dport 5000 -j DROP | Out-Null
            Invoke-Host sysctl -q -w net.ipv4.ip_forward=1 | Out-Null
        }
        $r.Errors | Should -BeNullOrEmpty
        $f = @($r.Output)
        $f | ForEach-Object { Write-Host "$($_.Severity) $($_.Id): $($_.Evidence[-1])" }
        # Forwarding off stops the packet after the DNAT, before DOCKER-USER: the kernel confirms IpForwardDisabled and
        # shows that the DOCKER-USER drop is not what stops it now.
        ($f | Where-Object Id -eq 'IpForwardDisabled').Evidence[-1] | Should -Match '^kernel trace of 5000/tcp: confirmed: 198\.51\.100\.2:\d+ NotForwarded'
        ($f | Where-Object Id -eq 'DockerUserDrop').Evidence[-1] | Should -Match '^kernel trace of 5000/tcp: refuted'
    }

    It 'Test-DockerHost -Trace confirms DockerUserDrop when it is what stops the packet' {
        Invoke-Host iptables -I DOCKER-USER -p tcp --dport 5000 -j DROP | Out-Null
        try {
            $r = Invoke-DockerLabPwsh $lab {
                param($ext)
                $client = Start-ThreadJob {
                    param($ext) foreach ($i in 1..6) { Start-Sleep -Seconds 2; & nsenter "--net=$ext" curl -s -m 1 -o /dev/null http://198.51.100.10:5000/v2/ }
                } -ArgumentList $ext
                $f = @(Test-DockerHost -Port 5000 -Trace -Duration 15)
                $client | Stop-Job -PassThru | Remove-Job
                $f | ForEach-Object { [pscustomobject]@{ Id = $_.Id; Severity = "$($_.Severity)"; Evidence = @($_.Evidence) } }
            } -ArgumentList $lab.ExtNetnsInside
        }
        finally { Invoke-Host iptables -D DOCKER-USER -p tcp --dport 5000 -j DROP | Out-Null }
        $r.Errors | Should -BeNullOrEmpty
        $f = @($r.Output)
        $f | ForEach-Object { Write-Host "$($_.Severity) $($_.Id): $($_.Evidence[-1])" }
        ($f | Where-Object Id -eq 'DockerUserDrop').Evidence[-1] | Should -Match '^kernel trace of 5000/tcp: confirmed: .*DroppedByRule: dropped by the admin''s DOCKER-USER'
    }

    It 'Ctrl+C (the pipeline stopped) removes the table; kill -9 leaves it, and the next run removes it' {
        $r = Invoke-DockerLabPwsh $lab {
            $path = (Get-Module DockerHostTools).Path
            $ps = [powershell]::Create().AddScript("Import-Module '$path'; Trace-DockerHostPort 5000 -Duration 60")
            $h = $ps.BeginInvoke()
            $deadline = [DateTime]::UtcNow.AddSeconds(15)
            while (-not ("$(nft list tables)" -match 'dht_trace') -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
            $armed = "$(nft list tables)" -match 'dht_trace'
            $ps.Stop()
            $afterStop = "$(nft list tables)" -match 'dht_trace'
            $dotnet = (Get-Process -Id $PID).Path; $dll = [Environment]::GetCommandLineArgs()[0]
            $p = Start-Process -PassThru -FilePath $dotnet -ArgumentList @($dll, '-NoProfile', '-Command', "Import-Module '$path'; Trace-DockerHostPort 5000 -Duration 60")
            $deadline = [DateTime]::UtcNow.AddSeconds(20)
            while (-not ("$(nft list tables)" -match 'dht_trace') -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
            $armed2 = "$(nft list table inet dht_trace)" -match "pid $($p.Id)"
            & kill -9 $p.Id; $p.WaitForExit()
            $afterKill = "$(nft list tables)" -match 'dht_trace'
            $null = Trace-DockerHostPort 5000 -Duration 1 -Count 1
            [pscustomobject]@{ Armed = $armed; AfterStop = $afterStop; Armed2 = $armed2; AfterKill = $afterKill; AfterNext = "$(nft list tables)" -match 'dht_trace' }
        }
        $r.Errors | Should -BeNullOrEmpty
        $o = $r.Output
        $o.Armed | Should -BeTrue
        $o.AfterStop | Should -BeFalse -Because 'Ctrl+C removes the table'
        $o.Armed2 | Should -BeTrue -Because 'the table names the process that armed it'
        $o.AfterKill | Should -BeTrue -Because 'kill -9 gives the process no chance to clean up'
        $o.AfterNext | Should -BeFalse -Because 'the next run removes the table of the dead process'
    }
}

Describe 'Trace-DockerHostPort with Docker''s rules in iptables-legacy (Recipe 2)' -Tag 'Lab' {
    BeforeAll { $script:dlab = Start-DockerdLab -Legacy }
    AfterAll { Stop-DockerdLab }

    It 'the outcome is Unknown and the reason says the nftables trace cannot see legacy rules' {
        $r = Invoke-DockerLabPwsh $dlab {
            $client = Start-ThreadJob { Start-Sleep -Milliseconds 1500; & ip netns exec dkext curl -s -m 3 -o /dev/null -w '%{http_code}' http://198.51.100.1:5000/v2/ }
            $p = @(Trace-DockerHostPort -Port 5000 -Count 1 -Duration 10)
            $http = "$($client | Receive-Job -Wait -AutoRemoveJob)"
            foreach ($x in $p) { [pscustomobject]@{ Outcome = "$($x.Outcome)"; Reason = $x.Reason; Http = $http; Tables = "$(nft list tables)" } }
        }
        $r.Errors | Should -BeNullOrEmpty
        $o = @($r.Output)
        $o.Count | Should -Be 1
        $o[0].Outcome | Should -Be 'Unknown'
        $o[0].Reason | Should -Match 'iptables-legacy'
        $o[0].Http | Should -Be '200'
        $o[0].Tables | Should -Not -Match 'dht_trace'
    }

    It 'not root: NotRoot, PermissionDenied, before any table is added' {
        $r = Invoke-DockerLabPwsh $dlab -User 65534 { Trace-DockerHostPort 5000 -Duration 5 }
        $r.Errors[0].FullyQualifiedErrorId | Should -Be 'NotRoot,DockerHostTools.Commands.TraceDockerHostPortCommand'
        $r.Errors[0].Category | Should -Be 'PermissionDenied'
        "$(ip netns exec dkhost nft list tables)" | Should -Not -Match 'dht_trace'
    }
}
