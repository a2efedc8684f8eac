# Issue 17 proofs on Recipe 2 (dockerd alone in netns dkhost, the client in dkext) with Docker's rules in iptables-legacy,
# and without root. The cases on every generation's nspawn Docker host run in the machines DockerHost.Lab.Tests.ps1
# boots (tests/lab/Trace.GenerationCases.ps1, dot-sourced there): one boot per generation for both files.
BeforeAll { Import-Module $env:DHT_MODULE_PATH -Force; Import-Module (Join-Path $PSScriptRoot 'lab/DockerLab.psm1') -Force }

Describe 'Trace-DockerHostPort with Docker''s rules in iptables-legacy (Recipe 2)' -Tag 'Lab' {
    BeforeAll { $script:dlab = Start-DockerdLab -Legacy }
    AfterAll { Stop-DockerdLab }

    It 'the outcome is Unknown and the reason says the nftables trace cannot see legacy rules' {
        $r = Invoke-DockerLabPwsh $dlab {
            # The trace first, then the outside client: a new connection every second while the trace waits.
            $client = Start-ThreadJob { while ($true) { & ip netns exec dkext curl -s -m 1 -o /dev/null -w '%{http_code}\n' http://198.51.100.1:5000/v2/; Start-Sleep -Milliseconds 700 } }
            $p = @(Trace-DockerHostPort -Port 5000 -Count 1 -Duration 20)
            $http = "$(@($client | Stop-Job -PassThru | Receive-Job) | Select-Object -First 1)"; $client | Remove-Job
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
