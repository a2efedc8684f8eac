@{
    Synopsis     = 'Takes one snapshot of everything that decides whether a Docker host''s published ports answer from outside.'
    Description  = @'
Get-DockerHostNetState reads, concurrently: the forwarding switches (runtime from /proc/sys, persisted from the sysctl
files), firewalld (state, zones, the outside interface's zone and whether each published port is open there, at runtime
and permanently), Docker's chains in every iptables variant that holds rules, the published ports from the Docker Engine
API cross-checked with the DNAT and forward rules and docker-proxy's listeners, and the services (docker, containerd,
firewalld, the network managers present) with their start order, and the engine itself: its version (/version),
/info IPv4Forwarding and, on Engine 28.1+, /info FirewallBackend (Driver, ReloadedAt) as EngineVersion,
EngineIPv4Forwarding, EngineFirewallBackend and EngineFirewallReloadedAt.

The daemon's effective settings, which the checks follow instead of assuming the defaults: Daemon (iptables, ip6tables,
ip-forward, ip-forward-no-drop, userland-proxy, firewall-backend, allow-direct-routing, each with its source: dockerd's
command line from /proc/PID/cmdline, or the daemon.json it was started with, its --config-file else
/etc/docker/daemon.json) and DaemonSettings, the same in one line with each network's gateway modes
(com.docker.network.bridge.gateway_mode_ipv4/6 from /networks) and whether swarm is active. EngineLocation says where
the engine runs: Local, Rootless (/info SecurityOptions name=rootless, a socket under /run/user/UID, rootlesskit above
dockerd), DockerDesktop (/info OperatingSystem Docker Desktop, or the Docker context's socket under ~/.docker/desktop)
or Remote (DOCKER_HOST or the current Docker context on another host, when no engine answers on the socket). With
Docker's nftables backend (29+, firewall-backend nftables) the published ports are cross-checked with the tables
ip docker-bridges and, for IPv6 bindings, ip6 docker-bridges (nft -j) instead of iptables; with swarm active, services' ingress ports are listed with nat
DOCKER-INGRESS.

The snapshot's facts, kept once as FactsJson (GetFacts() gives them as objects), are what Test-DockerHost judges. Save a snapshot with Export-Clixml on one host
and judge it later anywhere with Import-Clixml FILE | Test-DockerHost: FactsJson survives the round trip whole.
What could not be read (firewalld absent, Docker not running, no systemd) is a warning and a line in Problems, not an error.
'@
    Parameters   = @{
        Port   = 'Published host ports of interest; the snapshot keeps only those. All published ports by default. From the pipeline by value or by property name (Port).'
        Socket = 'The Docker Engine API socket (default /run/docker.sock).'
        Session           = 'Sessions to Docker hosts (New-PSSession -HostName ... over SSH, or any PSSession). One snapshot is taken on each host and returned here (deserialized, with PSComputerName); a session that is not open is a non-terminating SessionNotOpened error for that host.'
        HostName          = 'Docker hosts to reach over SSH, as Invoke-Command -HostName takes them (host or user@host). The sessions are opened side by side (at most -ThrottleLimit at once), with BatchMode=yes (never a password prompt), and kept open for the next fleet command of this pwsh (closed when the module is removed). A host that cannot be reached is a non-terminating HostUnreachable error (ConnectionError, the host as target); the others are read.'
        UserName          = 'The SSH user, as Invoke-Command -UserName (default: the user part of -HostName, else ssh''s default).'
        KeyFilePath       = 'The SSH private key, as Invoke-Command -KeyFilePath.'
        Options           = 'ssh options, as Invoke-Command -Options: @{ StrictHostKeyChecking = ''no''; UserKnownHostsFile = ''/dev/null'' }; Port = N for another SSH port. BatchMode is yes unless set here.'
        ConnectingTimeout = 'Milliseconds to wait for each SSH connection (default 15000), as Invoke-Command -ConnectingTimeout.'
        ThrottleLimit     = 'How many hosts are worked on at once (default 32), as Invoke-Command -ThrottleLimit.'
    }
    Outputs      = @{ DockerHostNetState = 'Taken, HostName, IpForward, Firewalld, Chains, PublishedPorts, Services, EngineVersion, EngineIPv4Forwarding, EngineFirewallBackend, EngineFirewallReloadedAt, FirewalldStartedAfterDocker, FirewalldRunState, OutsideZone, OutsideZoneReason, Daemon, DaemonSettings, EngineLocation, Problems, FactsJson (and the method GetFacts()).' }
    Examples     = @(
        @{ Code = 'Get-DockerHostNetState'; Remarks = 'One snapshot of the whole host.' }
        @{ Code = 'Get-DockerHostNetState -Port 5000 | Export-Clixml ./host-a.xml'; Remarks = 'Saves what decides port 5000 on this host, to be judged later or elsewhere.' }
        @{ Code = 'Get-DockerHostNetState | Test-DockerHost -Port 5000'; Remarks = 'Takes a snapshot and judges it; Import-Clixml ./host-a.xml | Test-DockerHost judges a saved one the same way, anywhere.' }
        @{ Code = 'Get-DockerHostNetState -Session $s | Export-Clixml ./fleet.xml; Import-Clixml ./fleet.xml | Test-DockerHost'; Remarks = 'One snapshot per host of the sessions (each with PSComputerName), saved and judged later here.' }
        @{ Code = '(Get-DockerHostNetState).PublishedPorts | Where-Object { -not $_.DnatRulePresent }'; Remarks = 'Published ports whose DNAT rule is gone.' }
    )
    Notes        = 'Needs root for iptables-save and firewall-cmd. Reading changes nothing. A piped object with none of the property names this command binds is an InputObjectNotRecognized error (InvalidArgument, the object as its target) naming the properties it takes. -Verbose lists what was read and how long each read took. With -Session/-HostName, per host: HostUnreachable, SessionNotOpened (ConnectionError), ModuleNotInstalled (ObjectNotFound), ModuleVersionDiffers, RemoteCommandFailed (InvalidResult), each with the host as target. Bad input with -HostName: a host name ssh would refuse (white space, wildcards, control characters, a leading -) is a non-terminating InvalidHostName error (InvalidArgument, the name as target) and the other hosts go on; a bad -UserName, -KeyFilePath or -Options value stops the command (InvalidUserName, InvalidKeyFilePath, InvalidSshOption).'
    RelatedLinks = @('Test-DockerHost', 'Repair-DockerHost', 'about_DockerHostTools')
}
