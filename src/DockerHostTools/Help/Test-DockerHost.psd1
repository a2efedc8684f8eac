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
DockerFirewallUnmanaged (Info; any Docker version, any host): dockerd runs with iptables: false (command line or daemon.json), so Docker makes no DNAT, forward or masquerade rules, in iptables or nftables; published ports answer only through docker-proxy (the host firewall's INPUT decides), and no Docker chain, DNAT rule or FORWARD verdict is reported missing. The daemon's other settings are followed too: ip-forward: false rewords IpForwardDisabled and IpForwardNotPersisted (the engine did not switch forwarding on); userland-proxy: false makes DockerDnatMissing an Error (no docker-proxy hides a lost rule).
DockerGatewayMode (Info for routed and nat-unprotected, Warning for isolated; Docker 28+ networks with com.docker.network.bridge.gateway_mode_ipv4): routed: no DNAT rule is expected (outside clients reach the container address by a route); nat-unprotected: no per-port filter rule is expected (ForwardPolicyDrop is not judged per port); isolated: the port cannot answer outside clients.
DockerNftablesMissing (Error; Docker 29+ with firewall-backend nftables, the lab's generations have none: fixtures from moby's nftables documents): the table ip docker-bridges is missing (a 'flush ruleset' removed it). Remedy: restart docker. With that backend no iptables chain finding is given; DockerDnatMissing reads the table's nat-prerouting-and-output chain and ForwardPolicyDrop its filter-forward-in chains.
NftablesForwardDroppedByIptables (Error; Docker 29+ with firewall-backend nftables): Docker's nftables rules accept the port, but an iptables filter FORWARD policy DROP (iptables-nft or legacy) with no iptables ACCEPT for it drops the traffic anyway.
RootlessEngine (Warning; Error with rootlesskit's port driver none; a rootless dockerd on any host): the engine is rootless (/info SecurityOptions name=rootless, rootlesskit above dockerd, or a socket under /run/user/UID): Docker's chains, DNAT rules and ip_forward are not judged; what applies is checked instead: the port driver, the listener (RootlessPortNotListening, Error) and the host firewall's INPUT for the port (FirewalldPortClosed, Error: the port is a plain listener on the host).
RootlessPortNotListening (Error; rootless engines): nothing listens on the published port on the host, so the port driver does not hold it.
EngineNotOnThisHost (Warning; Docker Desktop for Linux, or a Docker context or DOCKER_HOST naming another host while no engine answers on the socket): the engine runs elsewhere, so this host's firewalld, iptables and forwarding are not judged; the only finding given.
Swarm services' ingress ports (nat DOCKER-INGRESS, any Docker version in swarm mode) are judged as published ports: a lost ingress DNAT rule is DockerDnatMissing, an Error (no docker-proxy hides it).
FirewalldNotResponding (Warning; any host with firewalld installed, every generation): firewalld did not answer, or the system bus it speaks through did not (a hung or stopped firewalld or dbus-daemon): its zones, ports and policies could not be checked. The rules already in the kernel keep filtering, but firewall-cmd hangs and nothing can reload firewalld. Remedy (by hand): look at systemctl status firewalld dbus, restart firewalld, and then docker where firewalld flushes Docker's rules (firewalld 1.x, or the iptables backend).
HostReadIncomplete (Info): some host files could not be read (a 0600 sysctl drop-in read by non-root, a FIFO): the findings drawn from them keep their verdict, but their message says it may be wrong and names the files.
'@
    Parameters   = @{
        Port        = 'Published host ports to check; by default every published port. A port that no running container publishes gives ContainerNotRunning.'
        InputObject = 'A snapshot from Get-DockerHostNetState, live or read back with Import-Clixml; it is judged instead of the live host.'
        Socket      = 'The Docker Engine API socket (default /run/docker.sock), for the live check.'
        IncludeInfo = 'Also return Info findings.'
    }
    Outputs      = @{ Finding = 'Id, Severity, Target, Message, Evidence, Remedy, CanRepair; Errors first.' }
    Examples     = @(
        @{ Code = 'Test-DockerHost'; Remarks = 'Why do published ports not answer from outside? Findings grouped by severity, with the remedy.' }
        @{ Code = 'Test-DockerHost -Port 5000 | Format-List'; Remarks = 'Everything about port 5000, with the evidence for each finding.' }
        @{ Code = 'Test-DockerHost | Repair-DockerHost -Confirm:$false'; Remarks = 'Finds and fixes in one line, then says for each finding whether the check afterwards shows it gone.' }
        @{ Code = 'if (Test-DockerHost | Where-Object Severity -eq Error) { exit 1 }'; Remarks = 'A runbook or monitoring check: fails when outside traffic is blocked now.' }
        @{ Code = 'Import-Clixml ./host-a.xml | Test-DockerHost | ConvertTo-Json -EnumsAsStrings'; Remarks = 'Judges a snapshot saved on another host, as JSON.' }
    )
    Notes        = 'Needs root on a live host (iptables-save, firewall-cmd). Error ids: InputNotASnapshot, SnapshotNotReadable. -Verbose lists every program, D-Bus call, Engine API request and file read, with how long it took.'
    RelatedLinks = @('Get-DockerHostNetState', 'Repair-DockerHost', 'about_DockerHostTools')
}
