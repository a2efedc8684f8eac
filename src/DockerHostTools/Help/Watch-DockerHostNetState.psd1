@{
    Synopsis     = 'Streams a change record each time something that matters for published ports changes, and names the likely culprit from the journal.'
    Description  = @'
The incident this module exists for was intermittent: the registry worked for hours, then timed out, and nobody knew
what had switched ip_forward off. Watch-DockerHostNetState catches the change when it happens.

It reads net.ipv4.ip_forward and net.ipv6.conf.all.forwarding from /proc every -Interval (microseconds of work). Every
-SlowEvery intervals it runs the costlier reads: systemctl show for docker and firewalld, only when their invocation ids
in /run/systemd/units changed (a start, stop or restart; reading those links costs nothing), iptables-save for Docker's chains and the DNAT rule of every published port, and nft's table list (firewalld's nftables
table gets a new handle at every start and reload). firewalld's zones are read with firewall-cmd only when one of those
hints at a change, or every 300 intervals. The first read is the baseline: a quiet host produces no output.

Each change is a NetStateChange: Timestamp, What (net.ipv4.ip_forward, docker.service, DNAT 5000/tcp,
iptables-nft nat/DOCKER, firewalld ruleset, firewalld zone public), Before, After, Severity (Error: outside traffic is
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
        SlowEvery = 'Every how many intervals iptables-save and nft run (default 15), and systemctl when systemd''s invocation ids in /run/systemd/units changed: higher is cheaper, lower notices a flushed chain sooner.'
    }
    Outputs      = @{ NetStateChange = 'Timestamp, What, Before, After, Severity, Kind, LikelyCause (journal entries, best first), Cause (the best one''s unit).' }
    Examples     = @(
        @{ Code = 'Watch-DockerHostNetState'; Remarks = 'Watches until Ctrl+C, one line per change with its likely cause.' }
        @{ Code = 'Watch-DockerHostNetState -Duration 3600 | Export-Csv -Path ./changes.csv'; Remarks = 'A runbook: an hour of changes to a file (LikelyCause flattens to its first entry''s text in CSV; use Export-Clixml to keep all).' }
        @{ Code = 'Start-Job { Import-Module DockerHostTools; Watch-DockerHostNetState -Duration 86400 -Port 5000 } | Out-Null'; Remarks = 'Watches port 5000 for a day in the background; Receive-Job shows what happened.' }
        @{ Code = 'Watch-DockerHostNetState -Count 1 | Select-Object -ExpandProperty LikelyCause'; Remarks = 'Waits for the next change and shows everything the journal says around it.' }
    )
    Notes        = 'Needs root for iptables-save and firewall-cmd. Error ids: InvalidInterval, InvalidDuration. Cost: see build.ps1 Bench (CPU over a minute at a 1 s interval).'
    RelatedLinks = @('Test-DockerHost', 'Get-DockerHostNetState', 'about_DockerHostTools')
}
