# Argument completers through TabExpansion2, as a user presses Tab. No root, no lab: zones, units and containers are
# read live, so on a machine without firewalld, systemd or dockerd they must offer nothing, print nothing, and be quick.
# The zone completer against a real firewalld is in Firewalld.Lab.Tests.ps1.
BeforeAll {
    Import-Module $env:DHT_MODULE_PATH -Force

    function script:Complete([string] $Line) {
        # Completion texts for the end of $Line, with what the completer wrote anywhere and how long it took.
        $before = $Error.Count
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $all = & { (TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches } *>&1
        $sw.Stop()
        [pscustomobject]@{
            Texts   = @($all | Where-Object { $_ -is [System.Management.Automation.CompletionResult] } | ForEach-Object CompletionText)
            Other   = @($all | Where-Object { $_ -isnot [System.Management.Automation.CompletionResult] })
            Errors  = $Error.Count - $before
            Seconds = $sw.Elapsed.TotalSeconds
        }
    }
    $script:firewalldAnswers = $false
    if (Get-Command busctl -ErrorAction Ignore) {
        & busctl --system --auto-start=no call org.fedoraproject.FirewallD1 /org/fedoraproject/FirewallD1 org.fedoraproject.FirewallD1.zone getZones *> $null
        $script:firewalldAnswers = $LASTEXITCODE -eq 0
    }
    $script:systemdRuns = (Test-Path /run/systemd/system)
}

Describe 'Argument completers' -Tag 'Completers' {
    It 'completes -Protocol with tcp, udp, sctp, dccp on <Line>' -ForEach @(
        @{ Line = 'Add-FirewalldPort 5000 -Protocol ' }
        @{ Line = 'Remove-FirewalldPort 5000 -Protocol ' }
        @{ Line = 'Get-FirewalldPort -Protocol ' }
        @{ Line = 'Test-FirewalldPort 5000 -Protocol ' }
    ) {
        (Complete $Line).Texts | Should -Be @('tcp', 'udp', 'sctp', 'dccp')
    }

    It 'completes a protocol prefix' {
        (Complete 'Add-FirewalldPort 5000 -Protocol s').Texts | Should -Be @('sctp')
        (Complete 'Add-FirewalldPort 5000 -Protocol U').Texts | Should -Be @('udp')
    }

    It 'completes -Interface with the interfaces under /sys/class/net' {
        $expected = @(Get-ChildItem /sys/class/net | ForEach-Object Name | Sort-Object)
        $r = Complete 'Test-FirewalldPort 5000 -Interface '
        @($r.Texts | Sort-Object) | Should -Be $expected
        (Complete 'Test-FirewalldPort 5000 -Interface l').Texts | Should -Contain 'lo'
        $r.Errors | Should -Be 0
    }

    It 'completes zones (<Line>) from the running firewalld, or silently with nothing' -ForEach @(
        @{ Line = 'Get-FirewalldZone ' }
        @{ Line = 'Get-FirewalldZone -Name ' }
        @{ Line = 'Get-FirewalldPort -Zone ' }
        @{ Line = 'Add-FirewalldPort 5000 -Zone ' }
        @{ Line = 'Remove-FirewalldPort 5000 -Zone ' }
        @{ Line = 'Test-FirewalldPort 5000 -Zone ' }
    ) {
        $r = Complete $Line
        $r.Errors | Should -Be 0
        $r.Other | Should -BeNullOrEmpty
        if ($firewalldAnswers) { $r.Texts | Should -Not -BeNullOrEmpty }
        else { $r.Texts | Should -BeNullOrEmpty -Because 'no firewalld answers here: no file names either' }
    }

    It 'completes systemd service units for Get-DockerHostService, or silently with nothing without systemd' {
        $r = Complete 'Get-DockerHostService '
        $r.Errors | Should -Be 0
        $r.Other | Should -BeNullOrEmpty
        if ($systemdRuns) { $r.Texts | Should -Not -BeNullOrEmpty; $r.Texts | ForEach-Object { $_ | Should -BeLike '*.service' } }
        else { $r.Texts | Should -BeNullOrEmpty }
    }

    It 'completes container names silently with nothing when there is no Docker socket' {
        $r = Complete "Get-DockerPublishedPort -Socket /nonexistent/docker.sock "
        $r.Texts | Should -BeNullOrEmpty
        $r.Errors | Should -Be 0
        $r.Other | Should -BeNullOrEmpty
    }

    It 'gives up silently on a Docker socket that accepts but never answers' {
        $path = Join-Path ([IO.Path]::GetTempPath()) "dht-mute-$([guid]::NewGuid().ToString('n')).sock"
        $listener = [System.Net.Sockets.Socket]::new([System.Net.Sockets.AddressFamily]::Unix, [System.Net.Sockets.SocketType]::Stream, [System.Net.Sockets.ProtocolType]::Unspecified)
        try {
            $listener.Bind([System.Net.Sockets.UnixDomainSocketEndPoint]::new($path))
            $listener.Listen(4)   # never accepted, never answered: what a hung dockerd looks like to a client
            $r = Complete "Get-DockerPublishedPort -Socket $path "
            $r.Texts | Should -BeNullOrEmpty
            $r.Errors | Should -Be 0
            $r.Other | Should -BeNullOrEmpty
        }
        finally { $listener.Dispose(); Remove-Item $path -ErrorAction Ignore }
    }
}
