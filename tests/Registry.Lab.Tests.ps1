# Test-RegistryReachable against real registries (Debian docker-registry) in the registry lab
# (tests/lab/registry): the module runs in the probe namespace, the registries in the registry namespace.
BeforeDiscovery { $script:IsRoot = (& id -u) -eq '0' }

Describe 'Test-RegistryReachable in the registry lab' -Tag 'Lab', 'Registry' -Skip:(-not $script:IsRoot) {
    BeforeAll {
        Import-Module (Join-Path $PSScriptRoot 'lab/RegistryLab.psm1') -Force
        $script:Lab = Start-RegistryLab -Prefix 'rg'
        $script:Ns = $script:Lab.ProbeNamespace
        $script:Cmd = 'DockerHostTools.Commands.TestRegistryReachableCommand'
        $script:R = '198.51.100.10'
        # One child pwsh runs every scenario; the Its below judge the results.
        $script:S = Invoke-InProbeNamespace -Namespace $script:Ns -ModulePath $env:DHT_MODULE_PATH -ArgumentList @($script:R, "$($script:Lab.State)/capture.bin") -ScriptBlock {
            param($R, $Capture)
            $good = [pscredential]::new('lab', (ConvertTo-SecureString 'lab-pass' -AsPlainText -Force))
            $bad = [pscredential]::new('lab', (ConvertTo-SecureString 'wrong-pass-XYZ' -AsPlainText -Force))
            $t = @{ TimeoutSec = 2 }
            $s = @{}
            $s.Plain = Test-RegistryReachable "${R}:5000" @t
            $s.PlainDefaultPort = Test-RegistryReachable $R @t
            $s.PlainHttp = Test-RegistryReachable "http://${R}:5000" @t
            $s.PlainHttpsOnly = Test-RegistryReachable "${R}:5000" -Scheme Https @t
            $s.Auth = Test-RegistryReachable "${R}:5001" @t
            # Issue 13, defect 1: Auto's fallback to plain HTTP does not carry the password; asked-for HTTP does.
            $s.AuthAuto = Test-RegistryReachable "${R}:5001" -Credential $good @t
            $s.AuthGood = Test-RegistryReachable "${R}:5001" -Scheme Http -Credential $good @t
            $s.AuthGoodUrl = Test-RegistryReachable "http://${R}:5001" -Credential $good @t
            $s.AuthInsecure = Test-RegistryReachable "${R}:5001" -AllowInsecureCredential -Credential $good @t
            $s.AuthBad = Test-RegistryReachable "${R}:5001" -Scheme Http -Credential $bad @t -Verbose 4>&1 | ForEach-Object { $_ }
            # What a listener on 5022 received: over Auto (HTTPS then HTTP), then over -AllowInsecureCredential.
            $null = Test-RegistryReachable "${R}:5022" -Credential $good -TimeoutSec 1
            Start-Sleep -Milliseconds 300
            $s.CapturedAuto = [Text.Encoding]::Latin1.GetString([IO.File]::ReadAllBytes($Capture))
            $null = Test-RegistryReachable "${R}:5022" -Credential $good -TimeoutSec 1 -AllowInsecureCredential
            Start-Sleep -Milliseconds 300
            $s.CapturedInsecure = [Text.Encoding]::Latin1.GetString([IO.File]::ReadAllBytes($Capture)).Substring($s.CapturedAuto.Length)
            $s.Basic = [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes('lab:lab-pass'))
            # Issue 13, defect 6: user names as typed (no domain split).
            $before = [IO.File]::ReadAllBytes($Capture).Length
            foreach ($u in 'CORP\bob', 'ci@gitlab') {
                $null = Test-RegistryReachable "http://${R}:5022" -TimeoutSec 1 -Credential ([pscredential]::new($u, (ConvertTo-SecureString 'pw-6' -AsPlainText -Force)))
            }
            Start-Sleep -Milliseconds 300
            $s.CapturedUsers = @([regex]::Matches([Text.Encoding]::Latin1.GetString([IO.File]::ReadAllBytes($Capture)).Substring($before), 'Authorization: Basic (\S+)') |
                ForEach-Object { [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($_.Groups[1].Value)) })
            $s.AuthBadErrors = @(Test-RegistryReachable "${R}:0", "user:wrong-pass-XYZ@${R}" -Credential $bad -ErrorAction SilentlyContinue -ErrorVariable ev; $ev | ForEach-Object { "$_" })
            $s.Tls = Test-RegistryReachable "https://${R}:5443" @t
            $s.TlsAuto = Test-RegistryReachable "${R}:5443" @t
            $s.TlsSkip = Test-RegistryReachable "https://${R}:5443" -SkipCertificateCheck @t
            $s.TlsHttp = Test-RegistryReachable "http://${R}:5443" @t
            $s.NotRegistry = Test-RegistryReachable "${R}:8080" @t
            $s.Refused = Test-RegistryReachable "${R}:5009" @t
            $s.Reject = Test-RegistryReachable "${R}:5010" @t
            $s.Dropped = Test-RegistryReachable "${R}:40000" -TimeoutSec 1
            $s.Silent = Test-RegistryReachable "${R}:5020" -TimeoutSec 1
            $s.Closer = Test-RegistryReachable "${R}:5021" @t
            $s.NoRoute = Test-RegistryReachable '203.0.113.1:5000' @t
            $s.Dns = Test-RegistryReachable 'no-such-registry.invalid:5000' @t
            $s.V6Loopback = Test-RegistryReachable '[::1]:5009', 'http://[::1]' @t
            $s.TcpOnlyLive = Test-RegistryReachable "${R}:5000" -TcpOnly @t
            $s.TcpOnlyDropped = Test-RegistryReachable "${R}:40001" -TcpOnly -TimeoutSec 1
            $order = "${R}:40002", "${R}:5009", 'bad:0', "${R}:5000", "${R}:5001", "${R}:5010", "${R}:8080"
            $s.Order = @(Test-RegistryReachable $order -TimeoutSec 1 -ErrorAction SilentlyContinue -ErrorVariable oe)
            $s.OrderErrors = @($oe | ForEach-Object { $_.FullyQualifiedErrorId })
            $s.Quiet = @(Test-RegistryReachable $order -TimeoutSec 1 -Quiet -ErrorAction SilentlyContinue)
            $s.Piped = @($order | Test-RegistryReachable -TimeoutSec 1 -ErrorAction SilentlyContinue)
            $s.ByProperty = @(
                [pscustomobject]@{ ComputerName = $R; Port = 5001 }
                [pscustomobject]@{ HostName = $R; Port = 5009 }
                [pscustomobject]@{ ComputerName = $R }
            ) | Test-RegistryReachable @t
            $s.ByEndpointProperty = [pscustomobject]@{ Endpoint = "${R}:8080" } | Test-RegistryReachable @t
            $s.Json = $s.AuthGood, $s.AuthBad | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] } | ConvertTo-Json -EnumsAsStrings
            $s
        }
    }

    AfterAll { Stop-RegistryLab -Prefix 'rg' }

    It 'Reachable: an open registry answers 200 with the API header (Auto fell back to HTTP)' {
        $res = $S.Plain
        $res.Outcome | Should -Be 'Reachable'
        $res.Scheme | Should -Be 'Http'
        $res.HttpStatus | Should -Be 200
        $res.ApiVersion | Should -Be 'registry/2.0'
        $res.TcpConnected | Should -BeTrue
        $res.ConnectTimeMs | Should -BeGreaterThan 0
        $res.Address | Should -Be $R
        $res.Success | Should -BeTrue
    }

    It 'uses port 5000 when the endpoint names none' {
        $S.PlainDefaultPort.Port | Should -Be 5000
        $S.PlainDefaultPort.Outcome | Should -Be 'Reachable'
    }

    It 'http:// in the endpoint asks plain HTTP only' {
        $S.PlainHttp.Outcome | Should -Be 'Reachable'
        $S.PlainHttp.Scheme | Should -Be 'Http'
    }

    It '-Scheme Https against a plain registry is a TlsFailure' {
        $S.PlainHttpsOnly.Outcome | Should -Be 'TlsFailure'
        $S.PlainHttpsOnly.TcpConnected | Should -BeTrue
        $S.PlainHttpsOnly.HttpStatus | Should -BeNullOrEmpty
    }

    It 'AuthRequired: the htpasswd registry answers 401 with the API header' {
        $S.Auth.Outcome | Should -Be 'AuthRequired'
        $S.Auth.HttpStatus | Should -Be 401
        $S.Auth.ApiVersion | Should -Be 'registry/2.0'
        $S.Auth.Success | Should -BeTrue
    }

    It 'Defect1: -Scheme Auto falls back to HTTP without the password (the htpasswd registry answers 401, CredentialsWithheld)' {
        $S.AuthAuto.Outcome | Should -Be 'AuthRequired'
        $S.AuthAuto.Scheme | Should -Be 'Http'
        $S.AuthAuto.HttpStatus | Should -Be 401
        $S.AuthAuto.CredentialsWithheld | Should -BeTrue
        $S.AuthAuto.Message | Should -Match 'credentials were not sent'
        $S.AuthGoodUrl.Outcome | Should -Be 'Reachable'
        $S.AuthInsecure.Outcome | Should -Be 'Reachable'
        $S.AuthInsecure.CredentialsWithheld | Should -BeFalse
    }

    It 'Defect1: what the listener received: a TLS hello and a GET without Authorization; with -AllowInsecureCredential the Basic header' {
        $S.CapturedAuto | Should -Match 'GET /v2/ HTTP/1.1'
        $S.CapturedAuto[0] | Should -Be ([char]0x16) -Because 'HTTPS was tried first (a TLS handshake record)'
        $S.CapturedAuto | Should -Not -Match 'Authorization'
        $S.CapturedAuto | Should -Not -Match ([regex]::Escape($S.Basic))
        $S.CapturedInsecure | Should -Match ([regex]::Escape("Authorization: Basic $($S.Basic)"))
    }

    It 'Defect6: the user name goes over the wire as typed (CORP\bob, ci@gitlab)' {
        $S.CapturedUsers | Should -Be @('CORP\bob:pw-6', 'ci@gitlab:pw-6')
    }

    It 'Reachable with the right -Credential; AuthRequired with a wrong one' {
        $S.AuthGood.Outcome | Should -Be 'Reachable'
        $S.AuthGood.HttpStatus | Should -Be 200
        $bad = @($S.AuthBad | Where-Object { $_.PSObject.TypeNames -match 'RegistryProbeResult' })
        $bad[0].Outcome | Should -Be 'AuthRequired'
        $bad[0].Message | Should -Match 'rejected the credentials'
    }

    It 'never echoes the password in output, verbose or error text' {
        $verbose = @($S.AuthBad | Where-Object { $_.PSObject.TypeNames -match 'VerboseRecord' } | ForEach-Object Message)
        $verbose.Count | Should -BeGreaterThan 0
        $all = ($verbose + $S.Json + ($S.AuthBad | Out-String)) -join "`n"
        $all | Should -Not -Match 'wrong-pass-XYZ'
        $all | Should -Not -Match 'lab-pass'
        # The errors name the failing item (what the user typed) but add no credential of their own.
        $S.AuthBadErrors.Count | Should -Be 2
        $S.AuthBadErrors[0] | Should -Not -Match 'wrong-pass-XYZ'
    }

    It 'TlsFailure: a self-signed certificate is rejected by default' {
        $S.Tls.Outcome | Should -Be 'TlsFailure'
        $S.Tls.Message | Should -Match 'not trusted'
        $S.Tls.Success | Should -BeFalse
    }

    It 'Auto does not fall back to HTTP when the server speaks TLS with an untrusted certificate' {
        $S.TlsAuto.Outcome | Should -Be 'TlsFailure'
        $S.TlsAuto.Scheme | Should -Be 'Https'
    }

    It 'Reachable over HTTPS with -SkipCertificateCheck' {
        $S.TlsSkip.Outcome | Should -Be 'Reachable'
        $S.TlsSkip.Scheme | Should -Be 'Https'
        $S.TlsSkip.ApiVersion | Should -Be 'registry/2.0'
    }

    It 'plain HTTP to the TLS registry is not taken for a registry' {
        $S.TlsHttp.Outcome | Should -Be 'NotARegistry'
        $S.TlsHttp.HttpStatus | Should -Be 400
    }

    It 'NotARegistry: an HTTP server without the API header' {
        $S.NotRegistry.Outcome | Should -Be 'NotARegistry'
        $S.NotRegistry.HttpStatus | Should -Be 404
        $S.NotRegistry.ApiVersion | Should -BeNullOrEmpty
        $S.NotRegistry.TcpConnected | Should -BeTrue
    }

    It 'Refused: nothing listens' {
        $S.Refused.Outcome | Should -Be 'Refused'
        $S.Refused.TcpConnected | Should -BeFalse
        $S.Refused.ConnectTime | Should -BeNullOrEmpty
    }

    It 'Unreachable: an iptables REJECT with icmp-admin-prohibited' {
        $S.Reject.Outcome | Should -Be 'Unreachable'
        $S.Reject.Message | Should -Match 'HostUnreachable'
    }

    It 'Unreachable: no route to the network' {
        $S.NoRoute.Outcome | Should -Be 'Unreachable'
        $S.NoRoute.Message | Should -Match 'NetworkUnreachable'
    }

    It 'Timeout: packets dropped by an iptables DROP rule' {
        $S.Dropped.Outcome | Should -Be 'Timeout'
        $S.Dropped.TcpConnected | Should -BeFalse
        $S.Dropped.Message | Should -Match 'dropped'
    }

    It 'Timeout after connecting: a listener that accepts and never answers (HTTPS tried, then HTTP)' {
        $S.Silent.Outcome | Should -Be 'Timeout'
        $S.Silent.TcpConnected | Should -BeTrue
        $S.Silent.Scheme | Should -Be 'Http'
        $S.Silent.Message | Should -Match 'HTTPS was tried first'
    }

    It 'HttpError: a listener that accepts and closes at once, like a proxy whose backend is gone' {
        $S.Closer.Outcome | Should -Be 'HttpError'
        $S.Closer.TcpConnected | Should -BeTrue
        $S.Closer.HttpStatus | Should -BeNullOrEmpty
    }

    It 'DnsFailure: a name under .invalid' {
        $S.Dns.Outcome | Should -Be 'DnsFailure'
        $S.Dns.Address | Should -BeNullOrEmpty
        $S.Dns.Host | Should -Be 'no-such-registry.invalid'
    }

    It 'probes IPv6 literals ([::1]:port and http://[::1]) in the probe namespace' {
        $S.V6Loopback.Outcome | Should -Be @('Refused', 'Refused')
        $S.V6Loopback.Address | Should -Be @('::1', '::1')
        $S.V6Loopback.Port | Should -Be @(5009, 5000)
    }

    It 'writes progress when there are many endpoints, and completes it' {
        $res = Invoke-InProbeNamespace -Namespace $Ns -ModulePath $env:DHT_MODULE_PATH -ArgumentList @($R, $env:DHT_MODULE_PATH) -ScriptBlock {
            param($R, $Module)
            $ps = [powershell]::Create()
            $null = $ps.AddCommand('Import-Module').AddParameter('Name', $Module).AddStatement()
            $null = $ps.AddCommand('Test-RegistryReachable').AddParameter('Endpoint', @(40200..40231 | ForEach-Object { "${R}:$_" })).AddParameter('TimeoutSec', 1)
            $out = $ps.Invoke()
            @{ Count = $out.Count; Progress = @($ps.Streams.Progress | ForEach-Object { "$($_.RecordType)" }) }
        }
        $res.Count | Should -Be 32
        $res.Progress | Should -Contain 'Processing'
        $res.Progress[-1] | Should -Be 'Completed'
    }

    It '-TcpOnly opens the connection without asking the API' {
        $S.TcpOnlyLive.Outcome | Should -Be 'Reachable'
        $S.TcpOnlyLive.HttpStatus | Should -BeNullOrEmpty
        $S.TcpOnlyLive.Scheme | Should -BeNullOrEmpty
        $S.TcpOnlyDropped.Outcome | Should -Be 'Timeout'
    }

    It 'keeps input order, and a malformed item is an error while the others still run' {
        $S.Order.Outcome | Should -Be @('Timeout', 'Refused', 'Reachable', 'AuthRequired', 'Unreachable', 'NotARegistry')
        $S.Order.Port | Should -Be @(40002, 5009, 5000, 5001, 5010, 8080)
        $S.OrderErrors | Should -Be @("InvalidEndpoint,$Cmd")
    }

    It '-Quiet gives one bool per endpoint in input order' {
        $S.Quiet | Should -Be @($false, $false, $false, $true, $true, $false, $false)
    }

    It 'takes endpoints from the pipeline in order' {
        $S.Piped.Outcome | Should -Be @('Timeout', 'Refused', 'Reachable', 'AuthRequired', 'Unreachable', 'NotARegistry')
    }

    It 'binds ComputerName/HostName + Port and Endpoint by property name' {
        $S.ByProperty.Outcome | Should -Be @('AuthRequired', 'Refused', 'Reachable')
        $S.ByProperty.Port | Should -Be @(5001, 5009, 5000)
        $S.ByEndpointProperty.Outcome | Should -Be 'NotARegistry'
    }

    It 'converts to JSON with the outcome as a string' {
        $j = $S.Json | ConvertFrom-Json
        $j[0].Outcome | Should -Be 'Reachable'
        $j[0].ApiVersion | Should -Be 'registry/2.0'
    }

    It 'Ctrl+C (StopProcessing) ends probes that would wait 300 s' {
        $res = Invoke-InProbeNamespace -Namespace $Ns -ModulePath $env:DHT_MODULE_PATH -ArgumentList @($R, $env:DHT_MODULE_PATH) -ScriptBlock {
            param($R, $Module)
            $ps = [powershell]::Create()
            $null = $ps.AddCommand('Import-Module').AddParameter('Name', $Module).AddStatement()
            $null = $ps.AddCommand('Test-RegistryReachable').AddParameter('Endpoint', @(40100..40163 | ForEach-Object { "${R}:$_" })).AddParameter('TimeoutSec', 300)
            $async = $ps.BeginInvoke()
            Start-Sleep -Seconds 2
            $stop = $ps.BeginStop($null, $null)
            # A generous bound (the probes alone would take 300 s): this proves cancellation, it measures no speed.
            $stopped = $stop.AsyncWaitHandle.WaitOne([TimeSpan]::FromSeconds(60))
            @{ Stopped = $stopped; State = "$($ps.InvocationStateInfo.State)"; Completed = $async.IsCompleted }
        }
        $res.Stopped | Should -BeTrue
        $res.State | Should -Be 'Stopped'
    }

    It 'probes 2,000 endpoints under a 256-descriptor limit without running out of sockets' {
        $res = Invoke-InProbeNamespace -Namespace $Ns -ModulePath $env:DHT_MODULE_PATH -FileLimit 256 -ArgumentList @($R) -ScriptBlock {
            param($R)
            $endpoints = foreach ($i in 0..999) { "${R}:$(21000 + $i)"; "${R}:$(30000 + $i)" }
            $before = @(Get-ChildItem /proc/self/fd).Count
            $results = @(Test-RegistryReachable $endpoints -TimeoutSec 5 -ThrottleLimit 64 -ErrorVariable ev -ErrorAction SilentlyContinue)
            [GC]::Collect(); [GC]::WaitForPendingFinalizers()
            $after = @(Get-ChildItem /proc/self/fd).Count
            @{
                Count    = $results.Count
                Errors   = $ev.Count
                InOrder  = (($results.Endpoint -join ',') -eq ($endpoints -join ','))
                Outcomes = @($results | Group-Object Outcome | ForEach-Object { "$($_.Name)=$($_.Count)" })
                Odd      = @($results | Where-Object { $_.Outcome -notin 'Reachable', 'Refused' } | Select-Object -First 3 | ForEach-Object Message)
                FdBefore = $before
                FdAfter  = $after
                Limit    = (Get-Content /proc/self/limits | Select-String 'Max open files').Line
            }
        }
        $res.Limit | Should -Match '\s256\s+256\s'
        $res.Odd | Should -BeNullOrEmpty
        $res.Count | Should -Be 2000
        $res.Errors | Should -Be 0
        $res.InOrder | Should -BeTrue
        ($res.Outcomes | Sort-Object) | Should -Be @('Reachable=1000', 'Refused=1000')
        # Every socket was closed: the process holds no more descriptors than before (a few for the runtime's own use).
        ($res.FdAfter - $res.FdBefore) | Should -BeLessThan 16
    }

    It 'Defect9: -ThrottleLimit 4096 under ulimit -n 400 is capped with a warning, and no probe fails for want of a descriptor' {
        $res = Invoke-InProbeNamespace -Namespace $Ns -ModulePath $env:DHT_MODULE_PATH -FileLimit 400 -ArgumentList @($R) -ScriptBlock {
            param($R)
            $endpoints = foreach ($i in 0..299) { "${R}:$(40100 + $i)" }   # dropped: every probe holds its socket 1 s
            $results = @(Test-RegistryReachable $endpoints -TimeoutSec 1 -ThrottleLimit 4096 -TcpOnly -ErrorVariable ev -ErrorAction SilentlyContinue -WarningVariable wv -WarningAction SilentlyContinue)
            @{ Count = $results.Count; Errors = @($ev | ForEach-Object FullyQualifiedErrorId); Warnings = @($wv | ForEach-Object Message)
               Outcomes = @($results | Group-Object Outcome | ForEach-Object { "$($_.Name)=$($_.Count)" }) }
        }
        $res.Errors | Should -BeNullOrEmpty
        $res.Count | Should -Be 300
        $res.Outcomes | Should -Be @('Timeout=300')
        $res.Warnings | Should -Match 'open-file limit \(400'
    }
}
