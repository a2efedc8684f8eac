@{
    Synopsis     = 'Streams a change record each time something that matters for published ports changes, and names the likely culprit from the journal.'
    Description  = @'
The incident this module exists for was intermittent: the registry worked for hours, then timed out, and nobody knew
what had switched ip_forward off. Watch-DockerHostNetState catches the change when it happens.

It is told of changes rather than asking again and again. Over the module's one in-process connection to the D-Bus
system bus it receives firewalld's Reloaded and zone signals and the bus's NameOwnerChanged for firewalld, and systemd's
PropertiesChanged for docker, containerd, firewalld, NetworkManager, systemd-networkd and networking and its JobRemoved
(it calls systemd's Subscribe). From the kernel it receives the nf_tables netlink group (NFNLGRP_NFTABLES), which every
rule change by nft, iptables-nft, firewalld or dockerd reaches: a flushed nat DOCKER chain is reported within a second.
Each notification re-reads at once what it concerns (the units; iptables-save for Docker's chains and the DNAT rule of
every published port and nft's table list, whose firewalld table gets a new handle at every start and reload;
firewalld's zones). Polled are only what has no notification: net.ipv4.ip_forward and net.ipv6.conf.all.forwarding from
/proc every -Interval (microseconds of work), and every -SlowEvery intervals iptables-save while iptables-legacy holds
rules (its tables tell nothing). Where the bus or netlink is not to be had (no system bus, DOCKERHOSTTOOLS_NO_DBUS=1,
no CAP_NET_ADMIN) the watch polls as before: every -SlowEvery intervals systemctl show (only when the invocation ids in
/run/systemd/units changed), iptables-save and nft; -Verbose says which way it learns of changes. firewalld's zones are
also read every 300 intervals. The first read is the baseline: a quiet host produces no output.

Each change is a NetStateChange: Timestamp, What (net.ipv4.ip_forward, docker.service, DNAT 5000/tcp,
iptables-nft nat/DOCKER, firewalld ruleset, firewalld zone public, firewalld reloads: how many Reloaded signals
firewalld sent since the watch began), Before, After, Severity (Error: outside traffic is
blocked now; Warning: something that breaks published ports happened; Info: back to normal), Kind, and LikelyCause: the
journal entries (journalctl -o json) around the change, best match first: a sysctl run that wrote the key names its
unit; a start, stop or reload of network, NetworkManager, systemd-networkd, systemd-sysctl, firewalld or docker follows.
It runs until Ctrl+C, -Duration or -Count, and works in a runbook or a job.
'@
    Parameters   = @{
        Interval  = 'How often ip_forward is read: a TimeSpan or a number of seconds (default 1).'
        Duration  = 'Stop after this long: a TimeSpan or a number of seconds. Runs until Ctrl+C by default.'
        Count     = 'Stop after this many changes.'
        Port      = 'Published host ports whose DNAT rules are watched; all by default.'
        Socket    = 'The Docker Engine API socket (default /run/docker.sock), asked /_ping with the slow reads: "Docker Engine API SOCKET" changes when dockerd stops answering there, also where systemd does not run it.'
        SlowEvery = 'Every how many intervals the reads that have no notification run (default 15): iptables-save while iptables-legacy holds rules; where the bus or netlink is not to be had, also systemctl (when systemd''s invocation ids in /run/systemd/units changed), iptables-save and nft. Higher is cheaper; a notified change is read at once whatever it is.'
        Session           = 'Sessions to Docker hosts (New-PSSession over SSH): each host runs its own Watch-DockerHostNetState in its session (it needs the module) and its changes come back as they happen, each with the NoteProperties HostName and PSComputerName, until -Duration, -Count (over all hosts) or Ctrl+C, which stops every host''s watch. A session that is not open is a SessionNotOpened error; the others are watched.'
        HostName          = 'Docker hosts to reach over SSH, as Invoke-Command -HostName (host or user@host); opened as Test-DockerHost -HostName opens them (BatchMode, kept open for this pwsh). An unreachable host is a non-terminating HostUnreachable error (ConnectionError); the others are watched.'
        UserName          = 'The SSH user, as Invoke-Command -UserName.'
        KeyFilePath       = 'The SSH private key, as Invoke-Command -KeyFilePath.'
        Options           = 'ssh options, as Invoke-Command -Options (@{ StrictHostKeyChecking = ''no'' }; Port = N for another SSH port).'
        ConnectingTimeout = 'Milliseconds to wait for each SSH connection (default 15000).'
    }
    Outputs      = @{ NetStateChange = 'Timestamp, What, Before, After, Severity, Kind, LikelyCause (journal entries, best first), Cause (the best one''s unit).' }
    Examples     = @(
        @{ Code = 'Watch-DockerHostNetState -Session $s -Duration 600 | Format-Table HostName, Timestamp, What, Before, After, Severity'; Remarks = 'Ten minutes of changes on every host of the sessions, each with its host.' }
        @{ Code = 'Watch-DockerHostNetState'; Remarks = 'Watches until Ctrl+C, one line per change with its likely cause.' }
        @{ Code = 'Watch-DockerHostNetState -Duration 3600 | Export-Csv -Path ./changes.csv'; Remarks = 'A runbook: an hour of changes to a file (LikelyCause flattens to its first entry''s text in CSV; use Export-Clixml to keep all).' }
        @{ Code = 'Start-Job { Import-Module DockerHostTools; Watch-DockerHostNetState -Duration 86400 -Port 5000 } | Out-Null'; Remarks = 'Watches port 5000 for a day in the background; Receive-Job shows what happened.' }
        @{ Code = 'Watch-DockerHostNetState -Count 1 | Select-Object -ExpandProperty LikelyCause'; Remarks = 'Waits for the next change and shows everything the journal says around it.' }
    )
    Notes        = 'Needs root for iptables-save, firewall-cmd and the netlink group (CAP_NET_ADMIN). Error ids: InvalidInterval, InvalidDuration, ParameterArgumentValidationError (a -Socket that is not an absolute path), WatchFailed (a read that fails in a way the watch cannot go on from). Cost: see build.ps1 Bench (CPU over a minute at a 1 s interval, and how soon a flushed nat DOCKER chain is reported). Bad input with -HostName: a host name ssh would refuse (white space, wildcards, control characters, a leading -) is a non-terminating InvalidHostName error (InvalidArgument, the name as target) and the other hosts go on; a bad -UserName, -KeyFilePath or -Options value stops the command (InvalidUserName, InvalidKeyFilePath, InvalidSshOption).'
    RelatedLinks = @('Test-DockerHost', 'Get-DockerHostNetState', 'about_DockerHostTools')
}
