@{
    Synopsis     = 'Tells why a Docker host''s published ports do not answer from outside: findings with evidence and the exact remedy.'
    Description  = @'
Test-DockerHost checks the three causes together and returns Finding objects: Id, Severity (Error: outside traffic is
blocked now; Warning: it breaks at the next reboot, reload or restart; Info), Target (5000/tcp, net.ipv4.ip_forward...),
Message (one line to act on), Evidence (what was observed, with its source), Remedy (the exact commands) and CanRepair.
A healthy host gives no Error and no Warning. Pipe the findings to Repair-DockerHost to fix the repairable ones.

The finding ids are a public contract:
IpForwardDisabled (Error): net.ipv4.ip_forward is 0; forwarded traffic to containers is dropped.
IpForwardNotPersisted (Warning): on only because dockerd switched it on; a network restart or reboot switches it off.
IpForwardOverridden (Warning): the sysctl file applied last sets 0 (for example a 99-cis.conf).
IpForwardResetRisk (Warning): systemd-networkd (IPForward=no, IPv4Forwarding=no) can switch it off whatever sysctl.d says.
FirewalldPortClosed (Warning while Docker's DNAT rule exists, since forwarded traffic bypasses firewalld's INPUT filtering; Error once the rule is gone): the port is not open in the zone of the outside interface.
FirewalldRuntimePermanentDrift (Warning): open at runtime only (lost at the next reload) or permanently only (not in force).
FirewalldZoneMismatch: open in another zone than the one outside traffic arrives in.
FirewalldStartedAfterDocker (Error when Docker's rules are gone; Warning where firewalld flushes iptables at start and reload: firewalld before 2.0, or 2.x with the iptables backend or direct rules; Info on firewalld 2.x with the nftables backend, which leaves Docker's rules alone): firewalld entered its active state after dockerd.
FirewalldStartedWithoutDockerHandler (Error when Docker's rules are gone; Warning while they are intact on a flushing firewalld; Info on firewalld 2.x with nftables; all Docker versions, found by systemd's timestamps, and on Docker 28+ also by /info FirewallBackend without firewalld, as when firewalld 2.5 is not ready at boot): dockerd started while firewalld was not running, so nothing puts back rules a firewalld reload flushes. Remedy: restart docker.
FirewalldStrictForwardPorts (Error, firewalld 2.3+): StrictForwardPorts=yes in firewalld.conf rejects a Docker-published port that has no forward-port in the outside zone.
DockerServiceDown (Error): dockerd is not running.
DockerChainMissing (Error for nat/filter DOCKER and DOCKER-FORWARD, Warning for the others): a Docker chain is missing or nothing jumps into it. Which chains are expected follows the engine's version: up to 27 DOCKER, DOCKER-USER and the two isolation stages; 28 adds DOCKER-FORWARD, DOCKER-CT, DOCKER-BRIDGE (DOCKER-INTERNAL only with an internal network); 29 has no isolation chains and always DOCKER-INTERNAL.
DockerDnatMissing (Error; Warning when docker-proxy still answers and firewalld does not reject, since it then only looks healthy and the registry sees the host's address): the port's DNAT rule is gone.
DockerRulesInOtherVariant (Warning): Docker's rules live in iptables-legacy while iptables and firewalld use nft, or the reverse.
ForwardPolicyDrop (Error): FORWARD's policy is DROP and nothing accepts the port's forwarded traffic.
DockerUserDrop (Error when it drops the port unconditionally, else Warning): DOCKER-USER drops or rejects before Docker's rules.
ContainerNotRunning (Error): no running container publishes the port asked for.
DockerFirewalldZoneMissing (Warning; Docker 20.10+ where firewalld runs and dockerd uses it, so on bookworm, trixie and docker28 alike): Docker's firewalld zone docker (target ACCEPT, Docker's bridges in it) is missing, has another target, or a Docker bridge is not in it. Published ports keep answering (firewalld accepts DNATed traffic; seen on all three lab generations), but container traffic Docker did not DNAT follows zones Docker did not choose. Remedy: restart docker (it re-creates the zone and puts its bridges back; an altered target is set back by hand).
DockerForwardingPolicyMissing (Warning; Docker 27+ with firewalld 0.9+, so docker28 and not bookworm 20.10 or trixie 26.1, which make no policy): Docker's firewalld policy docker-forwarding (ingress ANY, egress docker, target ACCEPT) is missing or altered. Published ports keep answering (seen on docker28); forwarding into the docker zone that Docker did not DNAT is rejected. Remedy: restart docker (it re-creates a missing policy; an altered one is deleted first).
FirewalldNotResponding (Warning; any host with firewalld installed, every generation): firewalld did not answer, or the system bus it speaks through did not (a hung or stopped firewalld or dbus-daemon): its zones, ports and policies could not be checked. The rules already in the kernel keep filtering, but firewall-cmd hangs and nothing can reload firewalld. Remedy (by hand): look at systemctl status firewalld dbus, restart firewalld, and then docker where firewalld flushes Docker's rules (firewalld 1.x, or the iptables backend).
HostReadIncomplete (Info): some host files could not be read (a 0600 sysctl drop-in read by non-root, a FIFO): the findings drawn from them keep their verdict, but their message says it may be wrong and names the files.
NftablesServiceFlushesRuleset (Warning when nftables.service is enabled or active and its script, /etc/nftables.conf or the file its ExecStart loads with nft -f, runs 'flush ruleset' while Docker's rules live in nf_tables, that is iptables-nft, the default on Debian 11+, Ubuntu 21.04+, RHEL 8+, or Docker 29's nftables backend; Error when it ran after dockerd and Docker's rules are gone; nothing is said where Docker's rules are in iptables-legacy, which 'flush ruleset' does not touch): each start, restart or reload of nftables.service deletes Docker's rules, and nothing puts them back until docker restarts. Debian's and Ubuntu's default nftables.conf begins with 'flush ruleset'. Remedy, the exact edit: replace 'flush ruleset' by renewing only the tables the script defines: 'destroy table inet filter' where nft 1.0.8+ and Linux 6.3+ have it (Debian 13), else 'table inet filter' followed by 'delete table inet filter' (any nft: the declaration makes the delete never fail, and nft -f applies the file as one transaction); the remedy gives the sed command and 'nft -c -f' to check the file. A script that defines one of the tables Docker's rules live in (ip filter, ip nat, ip6 filter, ip6 nat, ip/ip6 docker-bridges) is told to use a table of its own. The other road is a docker.service drop-in with After=nftables.service and PartOf=nftables.service, so a restart of nftables restarts dockerd after it (containers restart with it unless live-restore); ordering alone changes nothing after boot, since Debian's nftables.service already runs before the network and docker. Seen on the trixie lab machine (nftables 1.1.3, Docker 26.1): a unit that restarts nftables.service after dockerd leaves no Docker chain in iptables-save, while firewalld 2.x's own table (flags owner,persist) survives the flush.
UfwDoesNotFilterPublishedPorts (Info, any Docker version with iptables rules, where ufw is active: ENABLED=yes in /etc/ufw/ufw.conf and ufw's chains loaded, and DOCKER-USER does not jump to a ufw chain): ufw's rules do not filter Docker-published ports. Docker DNATs them in nat PREROUTING, so their traffic is forwarded (FORWARD: DOCKER-USER first, then Docker's chains, which accept it) and never reaches ufw's INPUT chains. What filters a published port is a rule in DOCKER-USER matching the original port (-m conntrack --ctorigdstport PORT --ctdir ORIGINAL), or publishing it on 127.0.0.1 only.
UfwRuleIgnoredForPublishedPort (Warning, the same hosts): a ufw rule in /etc/ufw/user.rules or user6.rules denies, rejects, limits or allows only from some source a port Docker publishes (ufw deny 5000): the admin meant to filter it and it is not filtered; outside clients still reach the container (seen on the trixie lab machine with Debian's ufw 0.36.2: 'ufw deny 5000' and the outside client still gets 200). Remedy: the DOCKER-USER rule that does what the ufw rule meant (not kept across reboots by itself).

IPv6 is judged with the same ids, per family, where the engine has IPv6 in play: a running container has an IPv6
address (an IPv6-enabled network: "ipv6": true with fixed-cidr-v6, or docker network create --ipv6) and the engine uses
ip6tables (its chains are in ip6tables-save; Docker 27+ uses ip6tables by default, 20.10 and 26 need "ip6tables": true,
20.10 also "experimental": true). A host without IPv6 in play gets no IPv6 finding. The IPv6 targets:
net.ipv6.conf.all.forwarding and net.ipv6.conf.default.forwarding (IpForwardDisabled: Error for all, Warning for
default, which decides only interfaces created from now on; IpForwardNotPersisted, IpForwardOverridden, and
IpForwardResetRisk for systemd-networkd's IPForward=ipv4|no or IPv6Forwarding=no; repaired by Repair-IpForward
-Family IPv6, which persists both keys); [::]:5000/tcp for the IPv6 binding of a published port, judged on ip6tables
(DockerDnatMissing, ForwardPolicyDrop for the ip6tables FORWARD policy, DockerUserDrop); ip6tables-Nft:nat/DOCKER for
Docker's ip6tables chains (DockerChainMissing; Docker 20.10 makes no DOCKER-USER in ip6tables, so it is expected there
only from 26). firewalld's zones filter a port whatever its family, so the firewalld findings name the IPv4 target.
Seen on the lab's three generations (20.10.24, 26.1.5, 28.5.2): net.ipv6.conf.all.forwarding=0 makes the outside
client time out over IPv6 while IPv4 still answers.
'@
    Parameters   = @{
        Port        = 'Published host ports to check; by default every published port. A port that no running container publishes gives ContainerNotRunning.'
        InputObject = 'A snapshot from Get-DockerHostNetState, live or read back with Import-Clixml; it is judged instead of the live host.'
        Socket      = 'The Docker Engine API socket (default /run/docker.sock), for the live check.'
        IncludeInfo = 'Also return Info findings.'
        Trace       = 'Be sure instead of inferring: after judging, arm the kernel''s trace (Trace-DockerHostPort) for each port judged, one after the other, wait -Duration for a client''s connection from outside, and add to each finding of that port (and to the forwarding findings) one Evidence line: "kernel trace of PORT/PROTO: confirmed", "refuted (the packet ended otherwise)", "seen, not judged" (a Warning, or Docker''s rules in iptables-legacy) or "not checked" (no client tried), with the packet''s outcome and the deciding rule. Needs root (NotRoot) and nft; try the ports from another host while it waits.'
        Duration    = 'With -Trace: how long to wait for a client on each port, a TimeSpan or a number of seconds (30 by default).'
    }
    Outputs      = @{ Finding = 'Id, Severity, Target, Message, Evidence, Remedy, CanRepair; Errors first.' }
    Examples     = @(
        @{ Code = 'Test-DockerHost'; Remarks = 'Why do published ports not answer from outside? Findings grouped by severity, with the remedy.' }
        @{ Code = 'Test-DockerHost -Port 5000 | Format-List'; Remarks = 'Everything about port 5000, with the evidence for each finding.' }
        @{ Code = 'Test-DockerHost | Repair-DockerHost -Confirm:$false'; Remarks = 'Finds and fixes in one line, then says for each finding whether the check afterwards shows it gone.' }
        @{ Code = 'if (Test-DockerHost | Where-Object Severity -eq Error) { exit 1 }'; Remarks = 'A runbook or monitoring check: fails when outside traffic is blocked now.' }
        @{ Code = 'Test-DockerHost -Port 5000 -Trace -Duration 20 | Format-List Id, Severity, Evidence'; Remarks = 'The way to be sure: while it waits 20 s, run curl http://HOST:5000/ from another machine; each finding''s evidence then says whether the kernel''s trace of that connection confirms it.' }
        @{ Code = 'Import-Clixml ./host-a.xml | Test-DockerHost | ConvertTo-Json -EnumsAsStrings'; Remarks = 'Judges a snapshot saved on another host, as JSON.' }
    )
    Notes        = 'Needs root on a live host (iptables-save, firewall-cmd). Error ids: InputNotASnapshot, SnapshotNotReadable. -Verbose lists every program, D-Bus call, Engine API request and file read, with how long it took.'
    RelatedLinks = @('Get-DockerHostNetState', 'Repair-DockerHost', 'about_DockerHostTools')
}
