# Issue 5 and 7 proofs on the real lab Docker host (Recipe 1: systemd-nspawn machine with systemd, firewalld, dockerd,
# a registry container publishing 5000/tcp; the outside client in its own network namespace), on each generation of
# Recipe 1b (DHT_LAB_GENERATIONS, every generation when unset): the machines boot side by side once for the file.
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'lab/DockerLab.psm1') -Force
    $generations = @(Get-NspawnLabGeneration)
}
BeforeAll {
    Import-Module $env:DHT_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'lab/DockerLab.psm1') -Force
    $script:labs = @(Start-NspawnLab -Generation @(Get-NspawnLabGeneration).Generation)
    function Use-Lab([string] $Generation) { $script:lab = $labs | Where-Object Generation -eq $Generation }
    $script:dropIn = '/etc/sysctl.d/99-zz-dockerhosttools-ipforward.conf'

    function Invoke-Host { Invoke-DockerLabHost $lab @args }
    function Get-Findings([int[]] $Port = @(5000)) {
        $r = Invoke-DockerLabPwsh $lab { param($p) Test-DockerHost -Port $p } -ArgumentList (, $Port)
        $r.Errors | Should -BeNullOrEmpty
        @($r.Output)
    }
    function Get-Ids($Findings) { @($Findings | ForEach-Object { "$($_.Severity) $($_.Id) $($_.Target)" }) }
    function Invoke-Repair {
        $r = Invoke-DockerLabPwsh $lab { Test-DockerHost -Port 5000 | Repair-DockerHost -Confirm:$false }
        $r.Errors | Should -BeNullOrEmpty
        @($r.Output)
    }
    # iptables-save never fails for a missing chain (iptables -S does, with exit 1, right after a firewalld restart).
    function Get-Dnat { @(Invoke-Host iptables-save -t nat) | Where-Object { $_ -match '^-A DOCKER .*--dport 5000 .*DNAT' } }
    function Remove-Dnat {
        # What a firewalld start or reload does when dockerd does not put its rules back (seen in the lab): the DNAT is gone.
        $rule = Get-Dnat | Select-Object -First 1
        if ($rule) { Invoke-Host sh -c "iptables -t nat $($rule -replace '^-A', '-D')" | Out-Null }
    }
    function Wait-Dnat([int] $Seconds = 6) {
        # dockerd re-adds its rules 0.3-2.3 s after a firewalld reload, when it does: wait for that before judging.
        # Where firewalld flushes nothing (2.x, nftables backend) the DNAT rule is there at once, but a dockerd with
        # firewalld's handler still answers the restart or reload by putting back whatever is missing: let it run first,
        # or a rule taken away next would come back.
        if ($lab.Generation -ne 'bookworm') { Start-Sleep -Seconds 3 }
        $deadline = [DateTime]::UtcNow.AddSeconds($Seconds)
        while ([DateTime]::UtcNow -lt $deadline -and -not (Get-Dnat)) { Start-Sleep -Milliseconds 250 }
    }
    function Reset-Healthy {
        # Every proof starts from a healthy host, whatever the test before it left.
        $r = Invoke-DockerLabPwsh $lab { Test-DockerHost -Port 5000 | Where-Object Severity -ne 'Info' | Repair-DockerHost -Confirm:$false }
        $r.Errors | Should -BeNullOrEmpty
        $null = Wait-DockerLabHttpCode $lab
    }
    function Invoke-Firewalld([string] $Verb = 'restart') {
        # systemctl start/restart firewalld, then wait until firewalld answers RUNNING: firewalld 2.5's unit is
        # Type=simple (2.3's and 1.3's are Type=dbus), so systemctl returns before firewalld has loaded its rules.
        Invoke-Host systemctl $Verb firewalld | Out-Null
        $deadline = [DateTime]::UtcNow.AddSeconds(20)
        do {
            $st = & env "GEN=$($lab.Generation)" bash (Join-Path $PSScriptRoot 'lab/nspawn/dk-nsexec.sh') firewall-cmd --state 2>&1
            if ("$st" -eq 'running') { return }
            Start-Sleep -Milliseconds 250
        } while ([DateTime]::UtcNow -lt $deadline)
        throw "firewalld did not answer RUNNING 20 s after systemctl $Verb (last: $st)"
    }
    function Get-Runtime { "$(Invoke-Host cat /proc/sys/net/ipv4/ip_forward)".Trim() }

}
AfterAll { $labs | Stop-NspawnLab }

Describe 'Test-DockerHost and Repair-DockerHost on the real lab Docker host (<Generation>)' -Tag 'Lab' -ForEach $generations {
    BeforeAll {
        Use-Lab $Generation
        # Start healthy: one repair persists forwarding and opens 5000/tcp in the outside zone.
        Reset-Healthy
    }
    BeforeEach { Reset-Healthy }

    It 'a healthy host yields no Error and no Warning, and the outside client gets 200 over IPv4 and IPv6' {
        Get-DockerLabHttpCode $lab | Should -Be '200'
        Get-DockerLabHttpCode $lab -IPv6 | Should -Be '200'
        $f = Get-Findings
        @($f | Where-Object Severity -ne 'Info') | Should -BeNullOrEmpty
        # the hardened host persists IPv6 forwarding too (the repair in Reset-Healthy wrote it): both keys
        $text = @(Invoke-Host cat $dropIn)
        foreach ($k in 'net.ipv4.ip_forward', 'net.ipv6.conf.all.forwarding', 'net.ipv6.conf.default.forwarding') { $text | Should -Contain "$k = 1" }
        # Get-DockerChain shows Docker's ip6tables chains too, as rows of Family IPv6 (the engine keeps IPv6 rules here).
        $chains = Invoke-DockerLabPwsh $lab { Get-DockerChain -Family IPv6 }
        $chains.Errors | Should -BeNullOrEmpty
        @($chains.Output | Where-Object Family -ne 'IPv6') | Should -BeNullOrEmpty
        $nat6 = @($chains.Output | Where-Object { $_.Table -eq 'nat' -and $_.Chain -eq 'DOCKER' })
        $nat6.Count | Should -Be 1
        $nat6[0].Intact | Should -BeTrue
        $nat6[0].DnatRuleCount | Should -BeGreaterOrEqual 1
        $nat6[0].ForwardPolicy | Should -Be "$((@(Invoke-Host ip6tables-save -t filter) -match '^:FORWARD ') -replace '^:FORWARD (\w+).*', '$1')"
    }

    It 'IPv6: net.ipv6.conf.all.forwarding=0 leaves IPv4 answering, the outside client gets no answer over IPv6, IpForwardDisabled names the IPv6 key, Repair-IpForward -Family IPv6 brings 200 back and persists both keys' {
        # the drop-in keeps IPv4 only, so the repair has both IPv6 keys to persist
        Invoke-Host sh -c "printf 'net.ipv4.ip_forward = 1\n' > $dropIn" | Out-Null
        Invoke-Host systemd-run --unit=dht-t-v6reset --wait --quiet sysctl -q -w net.ipv6.conf.all.forwarding=0 | Out-Null
        try {
            Get-DockerLabHttpCode $lab -IPv6 | Should -Be '000'
            Get-DockerLabHttpCode $lab | Should -Be '200'
            $ids = Get-Ids (Get-Findings)
            $ids | Should -Contain 'Error IpForwardDisabled net.ipv6.conf.all.forwarding'
            $ids | Should -Contain 'Warning IpForwardNotPersisted net.ipv6.conf.default.forwarding'
            @($ids | Where-Object { $_ -like '*net.ipv4.ip_forward' }) | Should -BeNullOrEmpty
            @($ids | Where-Object { $_ -like 'Error *' }) | Should -Be @('Error IpForwardDisabled net.ipv6.conf.all.forwarding')
            $r = Invoke-DockerLabPwsh $lab { Repair-IpForward -Family IPv6 -Confirm:$false }
            $r.Errors | Should -BeNullOrEmpty
            @($r.Output[0].After.Status) | Should -Be @('Ok', 'Ok')
            Wait-DockerLabHttpCode $lab -IPv6 | Should -Be '200'
            $text = @(Invoke-Host cat $dropIn)
            foreach ($k in 'net.ipv4.ip_forward', 'net.ipv6.conf.all.forwarding', 'net.ipv6.conf.default.forwarding') { $text | Should -Contain "$k = 1" }
            @(Get-Findings | Where-Object Severity -ne 'Info') | Should -BeNullOrEmpty
        }
        finally { Invoke-Host sysctl -q -w net.ipv6.conf.all.forwarding=1 net.ipv6.conf.default.forwarding=1 | Out-Null }
    }

    It 'cause 3 alone: a network restart resets ip_forward (no file keeps it): timeout, found, repaired' {
        Invoke-Host rm -f $dropIn | Out-Null
        Invoke-Host systemd-run --unit=dht-t-netreset --wait --quiet sysctl -q -w net.ipv4.ip_forward=0 | Out-Null
        Get-DockerLabHttpCode $lab | Should -Be '000'
        $f = Get-Findings
        Get-Ids $f | Should -Contain 'Error IpForwardDisabled net.ipv4.ip_forward'
        Get-Ids $f | Should -Contain 'Warning IpForwardNotPersisted net.ipv4.ip_forward'
        $r = Invoke-Repair
        @($r | Where-Object { -not $_.Verified }) | Should -BeNullOrEmpty
        Wait-DockerLabHttpCode $lab | Should -Be '200'
        @(Get-Findings | Where-Object Severity -ne 'Info') | Should -BeNullOrEmpty
    }

    It 'cause 1 alone: 5000/tcp closed in firewalld works only through the DNAT rule: a Warning, repaired in both configurations' {
        Invoke-Host firewall-cmd -q --zone=public --remove-port=5000/tcp | Out-Null
        Invoke-Host firewall-cmd -q --permanent --zone=public --remove-port=5000/tcp | Out-Null
        Get-DockerLabHttpCode $lab | Should -Be '200'     # forwarded traffic never reaches firewalld's INPUT filtering
        $f = Get-Findings
        Get-Ids $f | Should -Be @('Warning FirewalldPortClosed 5000/tcp')
        $r = Invoke-Repair
        $r[0].Verified | Should -BeTrue
        @(Invoke-Host firewall-cmd --zone=public --list-ports) -join ' ' | Should -Match '5000/tcp'
        @(Invoke-Host firewall-cmd --permanent --zone=public --list-ports) -join ' ' | Should -Match '5000/tcp'
        @(Get-Findings | Where-Object Severity -ne 'Info') | Should -BeNullOrEmpty
    }

    It 'cause 2 alone: firewalld restarted after docker and the DNAT rule gone: docker-proxy hides it, found, repaired' {
        Invoke-DockerLabDocker $lab start dkweb | Out-Null   # no restart policy: the repair's engine restart must not leave it stopped
        Invoke-Firewalld restart
        Wait-Dnat
        Remove-Dnat
        Get-DockerLabHttpCode $lab | Should -Be '200'     # the port is open and docker-proxy answers: it looks healthy
        $f = Get-Findings
        Get-Ids $f | Should -Contain 'Warning DockerDnatMissing 5000/tcp'
        if ($Firewalld -like '1.*') { ($f | Where-Object Id -eq 'FirewalldStartedAfterDocker').Severity | Should -Be 'Error' }
        else { $f | Where-Object Id -eq 'FirewalldStartedAfterDocker' | Should -BeNullOrEmpty -Because "firewalld $Firewalld leaves Docker's rules alone: it did not take the rule (Info only)" }
        $r = Invoke-Repair
        @($r | Where-Object { -not $_.Verified }) | Should -BeNullOrEmpty
        Get-Dnat | Should -Not -BeNullOrEmpty
        Invoke-DockerLabDocker $lab inspect -f '{{.State.Running}}' dkweb | Should -Be 'true'
        Wait-DockerLabHttpCode $lab | Should -Be '200'
        @(Get-Findings | Where-Object Severity -ne 'Info') | Should -BeNullOrEmpty
    }

    It 'all three together: timeout, every cause named with its severity, one repair, 200 again, and it survives resets' {
        Invoke-Host rm -f $dropIn | Out-Null
        Invoke-Host firewall-cmd -q --zone=public --remove-port=5000/tcp | Out-Null
        Invoke-Host firewall-cmd -q --permanent --zone=public --remove-port=5000/tcp | Out-Null
        Invoke-Firewalld restart
        Wait-Dnat
        Remove-Dnat
        Invoke-Host systemd-run --unit=dht-t-netreset2 --wait --quiet sysctl -q -w net.ipv4.ip_forward=0 | Out-Null
        Get-DockerLabHttpCode $lab | Should -Be '000'
        $ids = Get-Ids (Get-Findings)
        $ids | Should -Contain 'Error IpForwardDisabled net.ipv4.ip_forward'
        $ids | Should -Contain 'Warning IpForwardNotPersisted net.ipv4.ip_forward'
        $ids | Should -Contain 'Error DockerDnatMissing 5000/tcp'
        $ids | Should -Contain 'Error FirewalldPortClosed 5000/tcp'
        if ($Firewalld -like '1.*') { $ids | Should -Contain 'Error FirewalldStartedAfterDocker firewalld.service' }
        else { $ids | Should -Not -Contain 'Error FirewalldStartedAfterDocker firewalld.service' -Because "firewalld $Firewalld leaves Docker's rules alone" }

        $r = Invoke-Repair
        @($r | Where-Object { -not $_.Verified }) | Should -BeNullOrEmpty
        Wait-DockerLabHttpCode $lab | Should -Be '200'
        @(Get-Findings | Where-Object Severity -ne 'Info') | Should -BeNullOrEmpty

        # A network-style reset (off, then the sysctl files re-applied) and systemd-sysctl leave it on.
        # (as CentOS's network initscript does: only the net.* keys of the files; kernel.* keys are the machine's, read-only here)
        Invoke-NspawnNetworkRestart -Unit dht-t-netreset3 -Lab $lab
        Get-Runtime | Should -Be '1'
        Invoke-Host systemctl restart systemd-sysctl | Out-Null
        Get-Runtime | Should -Be '1'
        Get-DockerLabHttpCode $lab | Should -Be '200'
    }

    It 'firewall-cmd --reload and systemctl restart firewalld on the hardened host: the outside client keeps 200; on firewalld 2.x Docker''s rules are never touched and nothing is Warning' {
        $fw2 = $Generation -ne 'bookworm'
        Invoke-Host firewall-cmd -q --reload | Out-Null
        Start-Sleep -Milliseconds 500
        if ($fw2) { Get-Dnat | Should -Not -BeNullOrEmpty -Because "firewalld $Firewalld (nftables backend, no direct rules) does not flush Docker's rules on reload" }
        Wait-Dnat
        Get-DockerLabHttpCode $lab | Should -Be '200'
        Invoke-Firewalld restart
        Start-Sleep -Milliseconds 500
        if ($fw2) { Get-Dnat | Should -Not -BeNullOrEmpty -Because "firewalld $Firewalld does not flush Docker's rules at start" }
        Wait-Dnat
        Get-DockerLabHttpCode $lab | Should -Be '200'
        if ($fw2) {
            @(Get-Findings | Where-Object Severity -ne 'Info') | Should -BeNullOrEmpty
        }
        else {
            # firewalld 1.3 flushed and dockerd re-added its rules, all but the jump into DOCKER-ISOLATION-STAGE-2 (Docker
            # 20.10's reload handler does not put the per-network isolation rule back, in iptables nor in ip6tables): that loss,
            # per family, and the risk of the next flush
            Get-Dnat | Should -Not -BeNullOrEmpty -Because 'dockerd, started with firewalld running, has the handler that puts its rules back'
            @(Get-Ids @(Get-Findings | Where-Object Severity -ne 'Info') | Sort-Object) |
                Should -Be @('Warning DockerChainMissing ip6tables-Nft:filter/DOCKER-ISOLATION-STAGE-2', 'Warning DockerChainMissing Nft:filter/DOCKER-ISOLATION-STAGE-2', 'Warning FirewalldStartedAfterDocker firewalld.service')
        }
    }

    It 'a DNAT rule lost behind a closed port (flushed by firewalld where it flushes, else by iptables -t nat -F DOCKER): the outside client fails, found, repaired' {
        Invoke-Host firewall-cmd -q --zone=public --remove-port=5000/tcp | Out-Null
        Invoke-Host firewall-cmd -q --permanent --zone=public --remove-port=5000/tcp | Out-Null
        if ($Generation -eq 'bookworm') {
            # firewalld 1.3 flushes at start; a dockerd started without firewalld has no handler to put the rule back
            Invoke-Host systemctl stop firewalld | Out-Null
            Invoke-Host systemctl reset-failed docker.service docker.socket | Out-Null
            Invoke-Host systemctl restart docker | Out-Null
            Wait-Dnat 20
            Invoke-Firewalld start
            Start-Sleep -Seconds 5
        }
        else { Invoke-Host iptables -t nat -F DOCKER | Out-Null }   # firewalld 2.x with nftables flushes nothing of Docker's
        Get-Dnat | Should -BeNullOrEmpty
        Get-DockerLabHttpCode $lab | Should -Be '000' -Because 'without the DNAT rule the packet meets firewalld''s INPUT filtering, where 5000/tcp is closed'
        $ids = Get-Ids (Get-Findings)
        $ids | Should -Contain 'Error DockerDnatMissing 5000/tcp'
        $ids | Should -Contain 'Error FirewalldPortClosed 5000/tcp'
        $r = Invoke-Repair
        @($r | Where-Object { -not $_.Verified }) | Should -BeNullOrEmpty
        Get-Dnat | Should -Not -BeNullOrEmpty
        Wait-DockerLabHttpCode $lab | Should -Be '200'
        @(Get-Findings | Where-Object Severity -ne 'Info') | Should -BeNullOrEmpty
    }

    It 'StrictForwardPorts=yes (firewalld 2.3+): the outside client times out on the published port' {
        if ($Generation -eq 'bookworm') { Set-ItResult -Skipped -Because "firewalld $Firewalld has no StrictForwardPorts (2.3+)" }
        Invoke-Host sed -i 's/^StrictForwardPorts=.*/StrictForwardPorts=yes/' /etc/firewalld/firewalld.conf | Out-Null
        try {
            Invoke-Firewalld restart
            Get-DockerLabHttpCode $lab | Should -Be '000' -Because 'firewalld rejects DNATed traffic to a port it has no forward-port for'
            Get-Dnat | Should -Not -BeNullOrEmpty -Because 'Docker''s rules are all there: it is firewalld that drops'
            Get-Ids (Get-Findings) | Should -Contain 'Error FirewalldStrictForwardPorts 5000/tcp'
        }
        finally {
            Invoke-Host sed -i 's/^StrictForwardPorts=.*/StrictForwardPorts=no/' /etc/firewalld/firewalld.conf | Out-Null
            Invoke-Firewalld restart
        }
    }

    It 'the no-handler case: dockerd restarted while firewalld was stopped, then firewalld started: flushed for good where firewalld flushes' {
        Invoke-Host systemctl stop firewalld | Out-Null
        Invoke-Host systemctl reset-failed docker.service docker.socket | Out-Null
        Invoke-Host systemctl restart docker | Out-Null
        Wait-Dnat 20
        Get-Dnat | Should -Not -BeNullOrEmpty
        Invoke-Firewalld start
        Start-Sleep -Seconds 10    # dockerd with a handler puts its rules back within 0.3-2.3 s
        if ($Generation -eq 'bookworm') {
            Get-Dnat | Should -BeNullOrEmpty -Because 'firewalld 1.3 flushed at start and dockerd, started without firewalld, has no handler to put the rules back'
            Get-DockerLabHttpCode $lab | Should -Be '200' -Because 'the port is open in firewalld and docker-proxy answers: it looks healthy'
            Get-Ids (Get-Findings) | Should -Contain 'Error FirewalldStartedWithoutDockerHandler firewalld.service'
        }
        else {
            Get-Dnat | Should -Not -BeNullOrEmpty -Because "firewalld $Firewalld does not flush Docker's rules, handler or not"
            Get-DockerLabHttpCode $lab | Should -Be '200'
            @(Get-Findings | Where-Object Severity -eq 'Error') | Should -BeNullOrEmpty
            @(Get-Findings | Where-Object Severity -ne 'Info') | Should -BeNullOrEmpty
        }
    }

    It 'findings saved with Export-Clixml and read back plan the same repair from their typed intents' {
        Invoke-Host systemd-run --unit=dht-t-netreset5 --wait --quiet sysctl -q -w net.ipv4.ip_forward=0 | Out-Null
        try {
            $r = Invoke-DockerLabPwsh $lab {
                $file = Join-Path $HOME 'findings.xml'
                Test-DockerHost -Port 5000 | Export-Clixml $file
                Import-Clixml $file | Where-Object Id -eq 'IpForwardDisabled' | Repair-DockerHost -Confirm:$false
            }
            $r.Errors | Should -BeNullOrEmpty
            $fixed = $r.Output | Where-Object Id -eq 'IpForwardDisabled'
            $fixed.Target | Should -Be 'net.ipv4.ip_forward'
            $fixed.Verified | Should -BeTrue
            @($fixed.Steps | Where-Object Kind -eq 'SetRuntime').Outcome | Should -Be 'Done'
            Get-Runtime | Should -Be '1'
        }
        finally { Invoke-Host sysctl -q -w net.ipv4.ip_forward=1 | Out-Null }
    }

    It 'Repair-DockerHost -WhatIf prints the plan and changes nothing' {
        Invoke-Host systemd-run --unit=dht-t-netreset4 --wait --quiet sysctl -q -w net.ipv4.ip_forward=0 | Out-Null
        try {
            $r = Invoke-DockerLabPwsh $lab { Test-DockerHost -Port 5000 | Repair-DockerHost -WhatIf }
            $r.Output | Should -BeNullOrEmpty
            Get-Runtime | Should -Be '0'
        }
        finally { Invoke-Host sysctl -q -w net.ipv4.ip_forward=1 | Out-Null }
    }

    It 'the fresh host (forwarding switched on by dockerd at runtime only): the outside client gets 200 and the latent IpForwardNotPersisted is named' {
        Invoke-Host rm -f $dropIn | Out-Null
        Get-Runtime | Should -Be '1'
        Get-DockerLabHttpCode $lab | Should -Be '200'
        $ids = Get-Ids (Get-Findings)
        $ids | Should -Contain 'Warning IpForwardNotPersisted net.ipv4.ip_forward'
        # dockerd switched IPv6 forwarding on too (both keys, at runtime only) for its IPv6 network
        $ids | Should -Contain 'Warning IpForwardNotPersisted net.ipv6.conf.all.forwarding'
        $ids | Should -Contain 'Warning IpForwardNotPersisted net.ipv6.conf.default.forwarding'
        @($ids | Where-Object { $_ -like 'Error *' }) | Should -BeNullOrEmpty
    }

    It 'Get-DockerHostNetState shows the engine: its version, /info IPv4Forwarding and FirewallBackend (28.1+ only)' {
        $r = Invoke-DockerLabPwsh $lab { $s = Get-DockerHostNetState -Port 5000; [pscustomobject]@{ V = $s.EngineVersion; F = $s.EngineIPv4Forwarding; B = $s.EngineFirewallBackend; View = ($s | Format-List | Out-String -Width 200) } }
        $r.Errors | Should -BeNullOrEmpty
        $r.Output[0].V | Should -BeLike "$Docker*"   # Debian's packages say 28.5.2+dfsg4
        $r.Output[0].F | Should -BeTrue
        if ($Generation -eq 'docker28') { $r.Output[0].B | Should -Match '^iptables' } else { $r.Output[0].B | Should -BeNullOrEmpty -Because "Docker $Docker (API < 1.49) has no FirewallBackend in /info" }
        $r.Output[0].View | Should -Match "Engine\s+: Docker $([regex]::Escape($Docker))\S*, IPv4Forwarding True"
    }

    It 'Docker''s firewalld objects: docker0 out of the docker zone (and on 27+ the docker-forwarding policy deleted): the outside client keeps 200, a Warning each, a docker restart brings them back' {
        # dockerd makes its zone and policy only when firewalld runs as it starts (docker28's lab boot starts it before
        # firewalld 2.5's Type=simple unit is ready): start from a dockerd that uses firewalld.
        Invoke-DockerLabDocker $lab start dkweb | Out-Null
        Invoke-Host systemctl reset-failed docker.service docker.socket | Out-Null
        Invoke-Host systemctl restart docker | Out-Null
        Wait-Dnat 20
        Invoke-DockerLabDocker $lab start dkweb | Out-Null
        Wait-DockerLabHttpCode $lab | Should -Be '200'
        "$(Invoke-Host firewall-cmd --get-zone-of-interface=docker0)".Trim() | Should -Be 'docker'
        $f = @(Get-Findings | Where-Object { $_ })
        $f | Where-Object Id -in 'DockerFirewalldZoneMissing', 'DockerForwardingPolicyMissing' | Should -BeNullOrEmpty -Because 'dockerd made both as it should'
        @($f | Where-Object Severity -ne 'Info') | Should -BeNullOrEmpty
        $policy = $Generation -eq 'docker28'   # Docker 27+ makes docker-forwarding; 20.10 and 26.1 make none
        $st = Invoke-DockerLabPwsh $lab { $s = Get-FirewalldState; [pscustomobject]@{ Names = @($s.Policies | ForEach-Object Name); View = ($s | Format-List | Out-String -Width 250) } }
        $st.Errors | Should -BeNullOrEmpty
        $st.Output[0].Names | Should -Contain 'allow-host-ipv6'   # firewalld's own policy (0.9+): the policies were read
        if ($policy) { $st.Output[0].View | Should -Match 'Policies\s+:.*docker-forwarding \(ANY -> docker: ACCEPT\)' }
        else { $st.Output[0].Names | Should -Not -Contain 'docker-forwarding' }

        if ($policy) {
            @(Invoke-Host firewall-cmd --get-policies) -join ' ' | Should -Match '\bdocker-forwarding\b'
            Invoke-Host firewall-cmd -q --permanent --delete-policy=docker-forwarding | Out-Null
            Invoke-Host firewall-cmd -q --reload | Out-Null   # firewalld 2.5 (nftables) flushes none of Docker's rules
            # dockerd answers the reload by putting its bridges back in the zone (not the policy): let it, then take docker0 out
            Start-Sleep -Seconds 3
            @(Invoke-Host firewall-cmd --get-policies) -join ' ' | Should -Not -Match '\bdocker-forwarding\b' -Because 'dockerd makes its policy only at start'
        }
        Invoke-Host firewall-cmd -q --zone=docker --remove-interface=docker0 | Out-Null
        if (-not $policy) { @(Invoke-Host firewall-cmd --get-policies) -join ' ' | Should -Not -Match 'docker-forwarding' -Because "Docker $Docker makes no policy" }
        Get-DockerLabHttpCode $lab | Should -Be '200' -Because 'firewalld accepts DNATed traffic (ct status dnat accept) whatever zone docker0 is in'
        $ids = Get-Ids (Get-Findings)
        $ids | Should -Contain 'Warning DockerFirewalldZoneMissing firewalld zone docker'
        if ($policy) { $ids | Should -Contain 'Warning DockerForwardingPolicyMissing firewalld policy docker-forwarding' }
        else { $ids | Where-Object { $_ -match 'DockerForwardingPolicyMissing' } | Should -BeNullOrEmpty }

        $r = Invoke-Repair
        @($r | Where-Object { -not $_.Verified }) | Should -BeNullOrEmpty
        Invoke-DockerLabDocker $lab start dkweb | Out-Null
        "$(Invoke-Host firewall-cmd --get-zone-of-interface=docker0)".Trim() | Should -Be 'docker'
        if ($policy) { @(Invoke-Host firewall-cmd --get-policies) -join ' ' | Should -Match '\bdocker-forwarding\b' }
        Wait-DockerLabHttpCode $lab | Should -Be '200'
        @(Get-Findings | Where-Object Severity -ne 'Info') | Should -BeNullOrEmpty
    }

    It 'a snapshot saved on the host is judged the same elsewhere' {
        Invoke-Host firewall-cmd -q --zone=public --remove-port=5000/tcp | Out-Null
        try {
            $r = Invoke-DockerLabPwsh $lab { (Get-DockerHostNetState -Port 5000).FactsJson }
            $judged = @([pscustomobject]@{ FactsJson = $r.Output[0] } | Test-DockerHost)
            Get-Ids $judged | Should -Contain 'Warning FirewalldRuntimePermanentDrift 5000/tcp'
        }
        finally { Invoke-Host firewall-cmd -q --zone=public --add-port=5000/tcp | Out-Null }
    }
}

# Issue 12: the daemon's own settings on the real engine. One generation (the newest packaged Docker) keeps the CI lab
# within its budget; the machine is the one booted for the file.
Describe 'The daemon''s settings on the real lab Docker host (<Generation>)' -Tag 'Lab' -ForEach @($generations | Where-Object Generation -eq 'docker28') {
    BeforeAll { Use-Lab $Generation; Reset-Healthy }

    It 'userland-proxy: false in daemon.json: read as the daemon''s setting; the DNAT rule deleted makes the outside client fail (no docker-proxy) and the finding an Error; the repair brings 200 back' {
        # The setting comes from the daemon.json the running dockerd was started with, not from a default.
        $orig = (@(Invoke-Host cat /etc/docker/daemon.json) -join "`n")
        $json = $orig | ConvertFrom-Json
        $json | Add-Member -NotePropertyName 'userland-proxy' -NotePropertyValue $false -Force
        $new = $json | ConvertTo-Json -Compress -Depth 5
        $restored = $false
        try {
            Invoke-Host sh -c "printf '%s\n' '$new' > /etc/docker/daemon.json" | Out-Null
            Invoke-Host systemctl reset-failed docker.service docker.socket | Out-Null
            Invoke-Host systemctl restart docker | Out-Null
            Wait-Dnat 20
            Wait-DockerLabHttpCode $lab | Should -Be '200'
            $r = Invoke-DockerLabPwsh $lab { $s = Get-DockerHostNetState -Port 5000; [pscustomobject]@{ P = $s.Daemon.UserlandProxy; D = $s.DaemonSettings; L = @($s.PublishedPorts)[0].ProxyListening } }
            $r.Errors | Should -BeNullOrEmpty
            $r.Output[0].P | Should -BeFalse
            $r.Output[0].D | Should -Match 'userland-proxy false,'
            $r.Output[0].L | Should -BeFalse -Because 'dockerd runs no docker-proxy with userland-proxy: false'
            Remove-Dnat
            Get-Dnat | Should -BeNullOrEmpty
            Get-DockerLabHttpCode $lab | Should -Be '000' -Because 'no docker-proxy answers for the lost DNAT rule'
            $f = @(Get-Findings | Where-Object Id -eq 'DockerDnatMissing')
            $f.Count | Should -Be 1
            "$($f[0].Severity)" | Should -Be 'Error'
            $f[0].Evidence | Should -Contain 'dockerd: userland-proxy false (no docker-proxy answers without the DNAT rule)'
            # Put the default daemon.json back first: the repair's docker restart then also ends the case (one restart fewer).
            Invoke-Host sh -c "printf '%s\n' '$($orig -replace "'", '')' > /etc/docker/daemon.json" | Out-Null
            $restored = $true
            $rep = Invoke-Repair
            @($rep | Where-Object { -not $_.Verified }) | Should -BeNullOrEmpty
            Wait-DockerLabHttpCode $lab | Should -Be '200'
        }
        finally {
            if (-not $restored) {
                Invoke-Host sh -c "printf '%s\n' '$($orig -replace "'", '')' > /etc/docker/daemon.json" | Out-Null
                Invoke-Host systemctl reset-failed docker.service docker.socket | Out-Null
                Invoke-Host systemctl restart docker | Out-Null
                Wait-Dnat 20
            }
        }
    }
}

Describe 'Watch-DockerHostNetState on the real lab Docker host (<Generation>)' -Tag 'Lab' -ForEach $generations {
    BeforeAll { Use-Lab $Generation }
    It 'a quiet host produces no event; -Verbose says it is told over D-Bus and by the kernel' {
        $r = Invoke-DockerLabPwsh $lab { Watch-DockerHostNetState -Interval 0.5 -SlowEvery 2 -Duration 6 -Verbose 4>&1 | ForEach-Object { if ($_ -is [System.Management.Automation.VerboseRecord]) { "VERBOSE: $($_.Message)" } else { $_ } } }
        $r.Errors | Should -BeNullOrEmpty
        @($r.Output | Where-Object { $_ -isnot [string] }) | Should -BeNullOrEmpty
        $said = @($r.Output | Where-Object { $_ -is [string] })
        @($said | Where-Object { $_ -like 'VERBOSE: Told over D-Bus*' }).Count | Should -Be 1
        @($said | Where-Object { $_ -like 'VERBOSE: Told by the kernel: the nf_tables netlink group*' }).Count | Should -Be 1
    }

    It 'without the in-process bus it polls as before, and says so in -Verbose' {
        $r = Invoke-DockerLabPwsh $lab {
            $env:DOCKERHOSTTOOLS_NO_DBUS = '1'
            Watch-DockerHostNetState -Interval 0.5 -SlowEvery 2 -Duration 5 -Verbose 4>&1 | ForEach-Object { if ($_ -is [System.Management.Automation.VerboseRecord]) { "VERBOSE: $($_.Message)" } else { $_ } }
        }
        $r.Errors | Should -BeNullOrEmpty
        $said = @($r.Output | Where-Object { $_ -is [string] })
        @($said | Where-Object { $_ -like 'VERBOSE: No in-process D-Bus system bus*polled as before*' }).Count | Should -Be 1
        @($said | Where-Object { $_ -like 'VERBOSE: Told over D-Bus*' }) | Should -BeNullOrEmpty
    }

    It 'is told, not polling (-SlowEvery 600): a flushed nat DOCKER chain within about a second, a firewalld reload by its Reloaded signal, a docker restart by systemd''s signals' {
        $job = Start-ThreadJob -ScriptBlock {
            param($lab, $modulePath, $labModule)
            $env:DHT_MODULE_PATH = $modulePath
            Import-Module $labModule
            # -SlowEvery 600 at 0.5 s: nothing but ip_forward is polled within the test's 5 minutes; what is seen was told.
            Invoke-DockerLabPwsh $lab {
                Watch-DockerHostNetState -Interval 0.5 -SlowEvery 600 -Duration 32 |
                    ForEach-Object { [pscustomobject]@{ What = $_.What; Before = $_.Before; After = $_.After; Severity = "$($_.Severity)"; Note = $_.Note; At = $_.Timestamp.ToUnixTimeMilliseconds() } }
            }
        } -ArgumentList $lab, $env:DHT_MODULE_PATH, (Join-Path $PSScriptRoot 'lab/DockerLab.psm1')
        try {
            Start-Sleep -Seconds 9      # the child pwsh starts, subscribes and takes its baseline
            $flushedAt = [DateTimeOffset]::UtcNow.ToUnixTimeMilliseconds()
            Invoke-Host iptables -t nat -F DOCKER | Out-Null
            Start-Sleep -Seconds 5
            $reloadedAt = [DateTimeOffset]::UtcNow.ToUnixTimeMilliseconds()
            Invoke-Host firewall-cmd -q --reload | Out-Null
            Start-Sleep -Seconds 6
            $restartedAt = [DateTimeOffset]::UtcNow.ToUnixTimeMilliseconds()
            Invoke-Host systemctl reset-failed docker.service docker.socket | Out-Null
            Invoke-Host systemctl restart docker | Out-Null
            $r = $job | Wait-Job -Timeout 90 | Receive-Job
        }
        finally {
            $job | Remove-Job -Force
            Reset-Healthy
        }
        $r.Errors | Should -BeNullOrEmpty
        $c = @($r.Output)
        # The flush: the DNAT rule for 5000 (or the chain itself) gone, an Error, seen before the reload 6 s later (a poll of
        # the rules would come only after 600 intervals: being told is what makes it show up in this window).
        $flush = $c | Where-Object { $_.At -ge $flushedAt -and $_.At -lt $reloadedAt -and $null -eq $_.After -and ($_.What -eq 'DNAT 5000/tcp' -or $_.What -like 'iptables-* nat/DOCKER') } | Select-Object -First 1
        $flush | Should -Not -BeNullOrEmpty
        $flush.Severity | Should -Be 'Error'
        # The reload: told by firewalld's Reloaded signal (its own change, the note says so), soon after.
        $reload = $c | Where-Object { $_.What -eq 'firewalld reloads' -and $_.Before -eq '0' -and $_.After -eq '1' -and $_.At -lt $restartedAt } | Select-Object -First 1
        $reload | Should -Not -BeNullOrEmpty
        $reload.At | Should -BeGreaterOrEqual $reloadedAt
        $reload.Note | Should -BeLike '*Reloaded signal*'
        $reload.Severity | Should -Be 'Warning'
        # The restart: docker.service leaves active, told by systemd (no poll of the units ran).
        $docker = $c | Where-Object { $_.What -eq 'docker.service' -and $_.At -ge $restartedAt } | Select-Object -First 1
        $docker | Should -Not -BeNullOrEmpty
    }

    It 'catches ip_forward reset by a unit (named as the cause), firewalld restart and reload, and docker restart' {
        $job = Start-ThreadJob -ScriptBlock {
            param($lab, $modulePath, $labModule)
            $env:DHT_MODULE_PATH = $modulePath
            Import-Module $labModule
            Invoke-DockerLabPwsh $lab { Watch-DockerHostNetState -Interval 0.5 -SlowEvery 2 -Duration 45 }
        } -ArgumentList $lab, $env:DHT_MODULE_PATH, (Join-Path $PSScriptRoot 'lab/DockerLab.psm1')
        Start-Sleep -Seconds 8      # the child pwsh starts and takes its baseline
        Invoke-Host systemd-run --unit=dht-t-watch-netreset --wait --quiet sysctl -w net.ipv4.ip_forward=0 | Out-Null
        Start-Sleep -Seconds 4
        Invoke-Host sysctl -q -w net.ipv4.ip_forward=1 | Out-Null
        Start-Sleep -Seconds 3
        Invoke-Host systemctl restart firewalld | Out-Null
        Start-Sleep -Seconds 5
        Invoke-Host firewall-cmd -q --reload | Out-Null
        Start-Sleep -Seconds 5
        Invoke-Host systemctl reset-failed docker.service docker.socket | Out-Null
        Invoke-Host systemctl restart docker | Out-Null
        $r = $job | Wait-Job -Timeout 90 | Receive-Job
        $job | Remove-Job -Force
        $r.Errors | Should -BeNullOrEmpty
        $c = @($r.Output)
        $off = $c | Where-Object { $_.What -eq 'net.ipv4.ip_forward' -and $_.After -eq '0' } | Select-Object -First 1
        $off | Should -Not -BeNullOrEmpty
        $off.Severity | Should -Be 'Error'
        $off.LikelyCause[0].Unit | Should -Be 'dht-t-watch-netreset.service'
        @($c | Where-Object What -eq 'firewalld.service').Count | Should -BeGreaterOrEqual 1
        @($c | Where-Object What -eq 'firewalld ruleset').Count | Should -BeGreaterOrEqual 2   # the restart and the reload
        # The reload is explained: as a note on the ruleset change, or, when firewalld's Reloaded signal came in after that
        # change was reported (a race on two busy cores, seen on trixie), as the 'firewalld reloads' change of its own.
        @($c | Where-Object { ($_.What -eq 'firewalld ruleset' -and $_.Note) -or $_.What -eq 'firewalld reloads' }).Count |
            Should -BeGreaterOrEqual 1 -Because "the watch saw: $(@($c | ForEach-Object { "$($_.What) [$($_.Note)]" }) -join '; ')"
        @($c | Where-Object What -eq 'docker.service').Count | Should -BeGreaterOrEqual 1
    }
}

# Issue 12, other things that wipe Docker's rules, and ufw: on bookworm (nftables 1.0.6, docker.io 20.10), trixie
# (nftables 1.1.3, docker.io 26.1) and, for the flushers, docker28 (nftables 1.1.3, docker.io 28.5), all with Debian's default /etc/nftables.conf (it begins with 'flush ruleset') and
# Docker on iptables-nft; ufw from Debian's package of the generation, fetched beside the tree by
# lab/nspawn/40-nspawn-ufw-deb.sh and installed into the booted machine for one test (purged after it).
Describe 'Other rule flushers on the real lab Docker host (<Generation>)' -Tag 'Lab' -ForEach @($generations | Where-Object Generation -in 'bookworm', 'trixie', 'docker28') {
    BeforeAll {
        Use-Lab $Generation
        Reset-Healthy
        $script:nftUnit = '/run/systemd/system/cu-nft-restart.service'
    }
    BeforeEach { Reset-Healthy }

    It 'nftables.service restarted by a unit after dockerd: Docker''s rules vanish, the watcher and Test-DockerHost name nftables.service, and the edit of the remedy keeps them' {
        try {
            Invoke-Host sh -c "printf '[Unit]\nDescription=cu lab: restart nftables.service after docker\nAfter=docker.service\n[Service]\nType=oneshot\nExecStart=/usr/bin/systemctl restart nftables.service\n' > $nftUnit && systemctl daemon-reload" | Out-Null
            $job = Start-ThreadJob -ScriptBlock {
                param($lab, $modulePath, $labModule)
                $env:DHT_MODULE_PATH = $modulePath
                Import-Module $labModule
                Invoke-DockerLabPwsh $lab { Watch-DockerHostNetState -Interval 0.5 -SlowEvery 2 -Duration 28 }
            } -ArgumentList $lab, $env:DHT_MODULE_PATH, (Join-Path $PSScriptRoot 'lab/DockerLab.psm1')
            Start-Sleep -Seconds 14     # the child pwsh starts and takes its baseline (8 s were too few once, on 2 busy cores)
            Invoke-Host systemctl start cu-nft-restart.service | Out-Null
            Start-Sleep -Seconds 1
            Get-Dnat | Should -BeNullOrEmpty
            @(Invoke-Host iptables-save) -match ':DOCKER' | Should -BeNullOrEmpty -Because "'flush ruleset' deleted iptables-nft's tables"
            # The port is open in firewalld (the reset opens it) and firewalld 2.x's own table (flags owner,persist) survives the
            # flush, so docker-proxy (userland-proxy, Docker 26.1) answers in place of the DNAT rule: it looks healthy. With
            # 5000/tcp closed in firewalld the same flush gives the outside client 000 (seen on a fresh boot).
            Get-DockerLabHttpCode $lab | Should -Be '200'
            $f = Get-Findings
            Get-Ids $f | Should -Contain 'Warning DockerDnatMissing 5000/tcp'
            $n = $f | Where-Object Id -eq 'NftablesServiceFlushesRuleset'
            $n.Severity | Should -Be 'Error'
            $n.Target | Should -Be 'nftables.service'
            Get-Ids $f | Should -Contain 'Error DockerChainMissing Nft:nat/DOCKER'
            # 'destroy table' needs nft 1.0.8 (trixie has 1.1.3, bookworm 1.0.6) and Linux 6.3.
            $kernel = "$(Invoke-Host uname -r)".Trim()
            $nft = "$(Invoke-Host nft --version)" -replace '^nftables v(\d+\.\d+\.\d+).*', '$1'
            $destroy = [version]($kernel -replace '^(\d+\.\d+).*', '$1') -ge [version]'6.3' -and [version]$nft -ge [version]'1.0.8'
            $n.Message | Should -Match ($destroy ? "'destroy table inet filter'" : "'table inet filter'; 'delete table inet filter'")

            $r = $job | Wait-Job -Timeout 60 | Receive-Job
            $job | Remove-Job -Force
            $r.Errors | Should -BeNullOrEmpty
            $gone = @($r.Output | Where-Object { $_.What -like 'iptables-nft *' -and $null -eq $_.After })
            $gone | Should -Not -BeNullOrEmpty -Because "the watch saw: $(@($r.Output | ForEach-Object { "$($_.What) $($_.Before) -> $($_.After)" }) -join '; ')"
            $gone[0].LikelyCause[0].Unit | Should -Be 'nftables.service'
            @($gone[0].LikelyCause.Unit) | Should -Contain 'cu-nft-restart.service' -Because 'its ExecStart restarts nftables.service'

            # The remedy's edit, run as written: Docker's rules come back with the docker restart and survive the next nftables restart.
            $edit = "$($n.Remedy[0].Command)"
            Invoke-Host bash -c $edit | Out-Null
            Wait-Dnat
            Get-Dnat | Should -Not -BeNullOrEmpty
            Invoke-Host systemctl restart nftables.service | Out-Null
            Get-Dnat | Should -Not -BeNullOrEmpty -Because 'the edited nftables.conf and the ExecStop of the drop-in renew only table inet filter'
            Wait-DockerLabHttpCode $lab | Should -Be '200'
            @(Get-Findings | Where-Object Id -eq 'NftablesServiceFlushesRuleset') | Should -BeNullOrEmpty
        }
        finally {
            Invoke-Host sh -c "systemctl stop nftables.service; rm -f $nftUnit /etc/systemd/system/nftables.service.d/dht-keep-docker-rules.conf; systemctl daemon-reload; [ ! -f /etc/nftables.conf.dht-backup ] || mv -f /etc/nftables.conf.dht-backup /etc/nftables.conf" | Out-Null
        }
    }

}

Describe 'ufw on the real lab Docker host (<Generation>)' -Tag 'Lab' -ForEach @($generations | Where-Object Generation -in 'bookworm', 'trixie') {
    BeforeAll {
        Use-Lab $Generation
        Reset-Healthy
    }
    BeforeEach { Reset-Healthy }

    It 'ufw active with ''ufw deny 5000'': the outside client still gets 200, an Info says what filters published ports and a Warning names the rule; its DOCKER-USER remedy does filter' {
        $debs = @(& env "GEN=$($lab.Generation)" bash (Join-Path $PSScriptRoot 'lab/nspawn/40-nspawn-ufw-deb.sh'))
        $LASTEXITCODE | Should -Be 0
        $packages = @($debs | ForEach-Object { (Split-Path $_ -Leaf) -replace '_.*$', '' })   # ufw, and what of its dependencies the tree lacks
        $debDir = Join-Path $lab.Dir 'cu-debs'                                               # the machine sees the work folder at /dkx
        $null = New-Item -ItemType Directory -Force $debDir
        Copy-Item $debs $debDir
        $rule = $null
        try {
            Invoke-Host sh -c 'dpkg -i /dkx/cu-debs/*.deb' | Out-Null
            Invoke-Host systemctl stop firewalld | Out-Null   # a ufw host runs no firewalld
            # ... and its dockerd started without it: firewalld 1.3's stop may take Docker's rules with it (bookworm, seen
            # both ways), so the host starts from a dockerd of its own, with its rules there before ufw is enabled.
            Invoke-Host systemctl restart docker | Out-Null
            Wait-Dnat
            Get-Dnat | Should -Not -BeNullOrEmpty -Because 'dockerd started without firewalld made its rules'
            Invoke-Host ufw --force enable | Out-Null
            Invoke-Host ufw deny 5000 | Out-Null
            Get-Dnat | Should -Not -BeNullOrEmpty -Because '''ufw enable'' with ufw''s own files leaves Docker''s chains alone'
            Get-DockerLabHttpCode $lab | Should -Be '200'
            $r = Invoke-DockerLabPwsh $lab { Test-DockerHost -Port 5000 -IncludeInfo }
            $r.Errors | Should -BeNullOrEmpty
            $f = @($r.Output)
            Get-Ids $f | Should -Contain 'Info UfwDoesNotFilterPublishedPorts ufw.service'
            $w = $f | Where-Object Id -eq 'UfwRuleIgnoredForPublishedPort'
            $w.Severity | Should -Be 'Warning'
            $w.Target | Should -Be '5000/tcp'
            $w.Message | Should -Match 'user\.rules: deny any 5000 from 0\.0\.0\.0/0 in'
            $rule = @($w.Remedy | Where-Object { "$($_.Command)" -like 'iptables *' })[0].Command
            $outside = @{ bookworm = 'dkb0'; trixie = 'dkt0' }[$Generation]     # lab/nspawn/lib.sh's veth inside the machine
            "$rule" | Should -Be "iptables -I DOCKER-USER -i $outside -p tcp -m conntrack --ctorigdstport 5000 --ctdir ORIGINAL -j DROP"
            Invoke-Host bash -c "$rule" | Out-Null
            Get-DockerLabHttpCode $lab | Should -Be '000' -Because 'DOCKER-USER sees the forwarded traffic that ufw does not'
        }
        finally {
            if ($rule) { Invoke-Host bash -c ("$rule" -replace ' -I DOCKER-USER ', ' -D DOCKER-USER ') | Out-Null }
            Invoke-Host sh -c "ufw --force disable; dpkg --purge $($packages -join ' ')" | Out-Null
            Remove-Item $debDir -Recurse -ErrorAction SilentlyContinue
            Invoke-Firewalld start
            Invoke-Host systemctl restart docker | Out-Null
            Wait-Dnat
        }
    }
}

# Issue 12, a rootless dockerd under a lab user on the trixie and docker28 machines: Debian's rootlesskit, slirp4netns and uidmap of
# the generation, fetched beside the tree by lab/nspawn/41-nspawn-rootless-deb.sh and installed for this test (purged
# after it); dockerd-rootless.sh of docker.io's contrib, its slirp4netns network moved onto 203.0.113.128/25 and its
# bridge onto 203.0.113.1/25 (inside rootlesskit's own network namespace); the port held by rootlesskit's builtin driver.
Describe 'A rootless dockerd on the real lab Docker host (<Generation>)' -Tag 'Lab' -ForEach @($generations | Where-Object Generation -in 'trixie', 'docker28') {
    BeforeAll {
        Use-Lab $Generation
        Reset-Healthy
    }

    It 'rootless dockerd publishing 8081: the outside client is rejected while firewalld''s zone does not open it and gets 200 once it does; Test-DockerHost says RootlessEngine and judges only the listener and INPUT' {
        $debs = @(& env "GEN=$($lab.Generation)" bash (Join-Path $PSScriptRoot 'lab/nspawn/41-nspawn-rootless-deb.sh'))
        $LASTEXITCODE | Should -Be 0
        $packages = @($debs | ForEach-Object { (Split-Path $_ -Leaf) -replace '_.*$', '' })
        $debDir = Join-Path $lab.Dir 'cu-rootless'
        $null = New-Item -ItemType Directory -Force $debDir
        Copy-Item $debs $debDir
        $sock = '/run/user/1500/docker.sock'
        # nspawn copies /dev/net/tun into the machine's own /dev with this host's mode (no udev here); slirp4netns opens it
        # as the lab user, as on a Debian host whose udev makes it 0666. Its mode before is kept and set back after the test.
        $tunMode = "$(Invoke-Host stat -c %a /dev/net/tun)".Trim()
        $tunMode | Should -Match '^[0-7]{3,4}$' -Because 'the mode of /dev/net/tun is read before it is changed'
        try {
            Invoke-Host sh -c 'dpkg -i /dkx/cu-rootless/*.deb' | Out-Null
            Invoke-Host chmod 0666 /dev/net/tun | Out-Null
            Invoke-Host sh -c 'useradd -m -u 1500 -s /bin/sh dkrl && usermod --add-subuids 300000-365535 --add-subgids 300000-365535 dkrl && install -d -o dkrl -g dkrl -m 700 /run/user/1500 && install -d -o dkrl -g dkrl /home/dkrl/.config/docker && printf ''{ "bip": "203.0.113.1/25", "ipv6": false }\n'' > /home/dkrl/.config/docker/daemon.json && chown dkrl: /home/dkrl/.config/docker/daemon.json' | Out-Null
            Invoke-Host systemd-run --unit=dht-rootless --uid=dkrl -p Environment=HOME=/home/dkrl -p Environment=XDG_RUNTIME_DIR=/run/user/1500 `
                -p Environment=PATH=/usr/sbin:/usr/bin:/sbin:/bin -p Environment=DOCKERD_ROOTLESS_ROOTLESSKIT_FLAGS=--cidr=203.0.113.128/25 `
                -p Environment=DOCKERD_ROOTLESS_ROOTLESSKIT_NET=slirp4netns -p Environment=DOCKERD_ROOTLESS_ROOTLESSKIT_PORT_DRIVER=builtin `
                /usr/share/docker.io/contrib/dockerd-rootless.sh | Out-Null
            $up = $false
            foreach ($i in 1..60) { if ("$(Invoke-Host sh -c "DOCKER_HOST=unix://$sock docker version -f '{{.Server.Version}}' 2>/dev/null || true")".Trim()) { $up = $true; break }; Start-Sleep -Milliseconds 500 }
            $up | Should -BeTrue -Because "rootless dockerd did not answer on $sock; its journal: $(@(Invoke-Host sh -c 'journalctl -u dht-rootless --no-pager -o cat | grep -v "^+" | tail -n 20') -join ' | ')"
            Invoke-Host sh -c "docker save dkregistry:local | DOCKER_HOST=unix://$sock docker load -q && DOCKER_HOST=unix://$sock docker run -d --name dkrl -p 8081:5000 dkregistry:local" | Out-Null
            $listener = ''
            foreach ($i in 1..20) { $listener = "$(Invoke-Host sh -c 'ss -Hltnp sport = :8081')"; if ($listener) { break }; Start-Sleep -Milliseconds 500 }
            $listener | Should -Match 'rootlesskit' -Because 'the builtin port driver holds the host port'
            @(Invoke-Host iptables-save -t nat) -match '--dport 8081' | Should -BeNullOrEmpty -Because 'a rootless engine makes no DNAT rule'

            # firewalld's outside zone does not open 8081: the port driver's socket is behind INPUT, so the client is rejected.
            Get-DockerLabHttpCode $lab -Port 8081 | Should -Be '000'
            $r = Invoke-DockerLabPwsh $lab { param($s) Test-DockerHost -Socket $s -Port 8081 -IncludeInfo } -ArgumentList $sock
            $r.Errors | Should -BeNullOrEmpty
            $ids = Get-Ids $r.Output
            $ids | Should -Contain 'Warning RootlessEngine docker engine'
            $ids | Should -Contain 'Error FirewalldPortClosed 8081/tcp'
            @($ids | Where-Object { $_ -match 'DockerChainMissing|DockerDnatMissing|IpForward|ForwardPolicyDrop' }) | Should -BeNullOrEmpty
            ($r.Output | Where-Object Id -eq 'RootlessEngine').Message | Should -Match 'port driver builtin'

            # Opened in the zone at runtime: 200 from outside, and RootlessEngine is the one finding left.
            Invoke-Host firewall-cmd -q --add-port=8081/tcp | Out-Null
            Wait-DockerLabHttpCode $lab -Port 8081 | Should -Be '200'
            $ids = Get-Ids (Invoke-DockerLabPwsh $lab { param($s) Test-DockerHost -Socket $s -Port 8081 } -ArgumentList $sock).Output
            $ids | Should -Be @('Warning RootlessEngine docker engine')
        }
        finally {
            # userdel only once the unit is inactive (systemctl stop waits for it; the check says so rather than a fixed sleep).
            Invoke-Host sh -c "firewall-cmd -q --remove-port=8081/tcp; systemctl stop dht-rootless; i=0; while systemctl is-active -q dht-rootless && [ `$i -lt 40 ]; do i=`$((i+1)); sleep 0.25; done; systemctl reset-failed dht-rootless; userdel -r -f dkrl; rm -rf /run/user/1500; chmod $tunMode /dev/net/tun; dpkg --purge $($packages -join ' ')" 2>&1 | Out-Null
            "$(Invoke-Host stat -c %a /dev/net/tun)".Trim() | Should -Be $tunMode -Because '/dev/net/tun gets back the mode it had'
            Remove-Item $debDir -Recurse -ErrorAction SilentlyContinue
        }
    }
}

# Issue 17: Trace-DockerHostPort and Test-DockerHost -Trace on the same machines (booted once per generation above).
. (Join-Path $PSScriptRoot 'lab/Trace.GenerationCases.ps1')
