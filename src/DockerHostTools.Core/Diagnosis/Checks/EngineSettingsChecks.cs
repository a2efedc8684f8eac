using DockerHostTools.Core.Repair;
using DockerHostTools.Core.Sysctl;

namespace DockerHostTools.Core.Diagnosis;

/// <summary>
/// The checks that follow the engine's own configuration and whereabouts (issue 12): where the engine runs (rootless,
/// Docker Desktop, another host), its daemon settings (<c>iptables</c>, <c>ip-forward</c>, <c>userland-proxy</c>,
/// <c>firewall-backend</c>), its networks' gateway modes, its nftables backend. <see cref="DockerHostChecks"/> asks these
/// where a verdict depends on them; the default settings leave its verdicts as they were.
/// </summary>
public static class EngineSettingsChecks
{
    /// <summary>True when the engine's firewall backend is nftables (its <c>/info</c> says so, or its configuration does).</summary>
    public static bool IsNftables(HostFacts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        return facts.Docker.FirewallBackend is { } driver ? driver.StartsWith("nftables", StringComparison.OrdinalIgnoreCase)
            : string.Equals(facts.Daemon.FirewallBackend, "nftables", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>True when Docker's iptables chains are to be judged: Docker manages the firewall, with iptables.</summary>
    public static bool JudgesIptables(HostFacts facts) => facts.Daemon.IptablesOn && !IsNftables(facts);

    /// <summary>True when Docker makes a DNAT rule for this port (it manages the firewall and the network is not routed or isolated).</summary>
    public static bool ExpectsDnat(HostFacts facts, PublishedPortFact port)
    {
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentNullException.ThrowIfNull(port);
        // An IPv6 host address on a container without an IPv6 address ([::] kept as its IPv4-family binding): docker-proxy only, no DNAT.
        return facts.Daemon.IptablesOn && port.GatewayMode is not ("routed" or "isolated") &&
            !(port.Family == Sysctl.IpFamily.IPv4 && port.HostIp?.Contains(':', StringComparison.Ordinal) == true);
    }

    /// <summary>
    /// The findings for an engine this host's checks do not apply to, instead of every other check: Docker Desktop or a
    /// context on another host (<see cref="FindingIds.EngineNotOnThisHost"/>), or a rootless dockerd
    /// (<see cref="FindingIds.RootlessEngine"/>, then what applies to it: its port driver, the listener, the host
    /// firewall's INPUT for the port). Null for an engine on this host, rootful.
    /// </summary>
    public static IReadOnlyList<Finding>? NotRootfulHere(HostFacts facts, IReadOnlyCollection<int>? ports)
    {
        ArgumentNullException.ThrowIfNull(facts);
        var engine = facts.Engine;
        if (engine.Location is EngineLocation.DockerDesktop or EngineLocation.Remote)
        {
            var where = engine.Location == EngineLocation.DockerDesktop ? "in Docker Desktop's virtual machine" : $"on another host ({engine.ContextHost})";
            return
            [
                new Finding(FindingIds.EngineNotOnThisHost, FindingSeverity.Warning, FindingSubject.ForEngine(),
                    $"The Docker engine runs {where}: this host's firewalld, iptables and ip_forward do not decide whether its published ports answer, so they were not judged. " +
                    (engine.Location == EngineLocation.DockerDesktop
                        ? "Docker Desktop forwards published ports from the host through its own process; check that it listens on the host port and that the host firewall's INPUT lets the port in."
                        : "Run Test-DockerHost on that host."),
                    [.. engine.Evidence, $"module read socket {engine.Socket}: {(facts.Docker.EngineReachable ? "answered" : "no engine")}"],
                    engine.Location == EngineLocation.DockerDesktop ? [Remedy.Bash("docker context use default  # to diagnose this host's own dockerd")] : [Remedy.Bash($"ssh HOST pwsh -c Test-DockerHost  # the host of {engine.ContextHost}")],
                    RepairIntent.Nothing),
            ];
        }

        if (engine.Location != EngineLocation.Rootless)
        {
            return null;
        }

        var findings = new List<Finding>();
        var driver = engine.RootlessPortDriver;
        findings.Add(new Finding(FindingIds.RootlessEngine, driver == "none" ? FindingSeverity.Error : FindingSeverity.Warning, FindingSubject.ForEngine(),
            driver == "none"
                ? "The engine is a rootless dockerd with rootlesskit's port driver 'none': published ports are not exposed on the host at all."
                : $"The engine is a rootless dockerd (port driver {driver ?? "unknown"}): no DNAT rule and no Docker chain exist and net.ipv4.ip_forward does not matter; " +
                  "a published port is a socket its port driver holds on the host, so only that listener and the host firewall's INPUT for the port decide whether it answers" +
                  (driver == "slirp4netns" ? " (slirp4netns loses the client's address)." : "."),
            [.. engine.Evidence, $"socket {engine.Socket}"],
            [Remedy.Bash("systemctl --user status docker  # as the user running it", "ss -ltnp  # the port driver's listeners")], RepairIntent.Nothing));

        var fw = facts.Firewalld;
        var published = facts.Docker.Ports.Where(p => ports is null || ports.Count == 0 || ports.Contains(p.Port)).ToList();
        foreach (var p in published)
        {
            var subject = FindingSubject.ForPort(p.Port, p.Protocol, p.Family);
            if (p.Listener is null)
            {
                findings.Add(new Finding(FindingIds.RootlessPortNotListening, FindingSeverity.Error, subject,
                    $"Nothing listens on {subject} although {p.ContainerName} publishes it: the rootless engine's port driver does not hold the port, so no client reaches it.",
                    [$"/proc/net: no listener on {subject}", $"rootlesskit port driver: {driver ?? "unknown"}"],
                    [Remedy.Bash($"docker restart {p.ContainerName}  # as the user running the rootless engine")], RepairIntent.Nothing));
            }

            // The port driver's socket is local delivery: the host firewall's INPUT (firewalld's zone) filters it.
            var zone = fw.OutsideZone;
            var inZone = fw.Ports.FirstOrDefault(x => x.Zone == zone && x.Port == p.Port && x.Protocol == p.Protocol);
            if (fw.State == Firewalld.FirewalldRunState.Running && zone is not null && inZone?.RuntimeOpenBy is null)
            {
                findings.Add(new Finding(FindingIds.FirewalldPortClosed, FindingSeverity.Error, subject,
                    $"{subject} is not open in firewalld zone {zone}: a rootless engine's port is a plain listener on the host, so firewalld's INPUT filtering rejects outside clients.",
                    [$"firewalld: {fw.OutsideZoneReason}", $"zone {zone}: {subject} runtime not open", $"listener: {p.Listener ?? "none"}"],
                    [Remedy.PowerShell($"Add-FirewalldPort -Port {p.Port} -Protocol {p.Protocol} -Zone {zone} -Confirm:$false"),
                        Remedy.Bash($"firewall-cmd --zone={zone} --add-port={subject}", $"firewall-cmd --zone={zone} --add-port={subject} --permanent")],
                    RepairIntent.OpenFirewalldPort(p.Port, p.Protocol, zone, Firewalld.FirewalldConfiguration.Runtime, Firewalld.FirewalldConfiguration.Permanent)));
            }
        }

        return findings.OrderBy(f => f.Severity).ToList();
    }

    /// <summary>Findings about the daemon's settings themselves: <c>iptables: false</c>; the nftables backend's table missing.</summary>
    public static IEnumerable<Finding> Settings(HostFacts facts, bool dockerUp)
    {
        ArgumentNullException.ThrowIfNull(facts);
        var d = facts.Daemon;
        if (!d.IptablesOn)
        {
            yield return new Finding(FindingIds.DockerFirewallUnmanaged, FindingSeverity.Info, FindingSubject.ForEngine(),
                "dockerd runs with iptables: false, so Docker does not manage the firewall: it makes no DNAT, forward or masquerade rules (iptables or nftables). " +
                "Published ports answer only through docker-proxy on the host (local delivery: the host firewall's INPUT decides, and the container sees the host's address), " +
                "containers reach outside only through rules you add yourself, and Docker's chains are not expected, so none is reported missing.",
                [.. d.Sources.Where(s => s.Contains("iptables", StringComparison.Ordinal))],
                [], RepairIntent.Nothing);
        }

        if (dockerUp && d.IptablesOn && IsNftables(facts) && facts.DockerNftables is { } tables && tables.FirstOrDefault(t => t.Family == "ip") is { Exists: false })
        {
            yield return new Finding(FindingIds.DockerNftablesMissing, FindingSeverity.Error, FindingSubject.ForEngine(),
                "The engine's firewall backend is nftables but its table ip docker-bridges is missing: something flushed the ruleset (nftables.service's 'flush ruleset', nft -f), " +
                "so no published port is DNATed or accepted. Restart docker: it re-creates the table.",
                [$"Engine firewall backend: {facts.Docker.FirewallBackend ?? d.FirewallBackend}", "nft -j list table ip docker-bridges: No such file or directory"],
                [Remedy.PowerShell("Repair-DockerChain -Confirm:$false"), Remedy.Bash("systemctl reset-failed docker.service docker.socket", "systemctl restart docker")],
                RepairIntent.RestartEngine);
        }

        // Where IPv6 is in play, the ip6 table carries the IPv6 bindings' DNAT and accept rules: its loss is said too.
        if (dockerUp && d.IptablesOn && IsNftables(facts) && facts.DockerNftables is { } tables6 && tables6.FirstOrDefault(t => t.Family == "ip6") is { Exists: false } &&
            DockerHostChecks.IPv6Use(facts))
        {
            yield return new Finding(FindingIds.DockerNftablesMissing, FindingSeverity.Error, FindingSubject.ForEngine(IpFamily.IPv6),
                "The engine's firewall backend is nftables but its table ip6 docker-bridges is missing: something flushed the ruleset (nftables.service's 'flush ruleset', nft -f), " +
                "so no IPv6 ([::]) published port is DNATed or accepted. Restart docker: it re-creates the table.",
                [$"Engine firewall backend: {facts.Docker.FirewallBackend ?? d.FirewallBackend}", "nft -j list table ip6 docker-bridges: No such file or directory",
                    "IPv6 is in play: a running container has an IPv6 address and the engine uses ip6tables"],
                [Remedy.PowerShell("Repair-DockerChain -Confirm:$false"), Remedy.Bash("systemctl reset-failed docker.service docker.socket", "systemctl restart docker")],
                RepairIntent.RestartEngine);
        }
    }

    /// <summary>A forwarding finding reworded where the daemon runs with <c>ip-forward: false</c> (it did not switch forwarding on).</summary>
    public static Finding FollowIpForward(Finding finding, HostFacts facts)
    {
        ArgumentNullException.ThrowIfNull(finding);
        ArgumentNullException.ThrowIfNull(facts);
        if (facts.Daemon.IpForwardOn || finding.Subject.Family != IpFamily.IPv4 ||
            finding.Id is not (FindingIds.IpForwardDisabled or FindingIds.IpForwardNotPersisted))
        {
            return finding;
        }

        var source = facts.Daemon.Sources.FirstOrDefault(s => s.Contains("ip-forward", StringComparison.Ordinal) && !s.Contains("no-drop", StringComparison.Ordinal)) ?? "dockerd: ip-forward false";
        var message = finding.Id == FindingIds.IpForwardDisabled
            ? "net.ipv4.ip_forward is 0 and dockerd runs with ip-forward: false, so the engine did not switch forwarding on (and will not at its next start): outside clients time out on published ports until a sysctl file sets it."
            : "No sysctl file sets net.ipv4.ip_forward, and dockerd runs with ip-forward: false, so it is not dockerd that switched it on: whatever did is not persisted, and a reboot or network restart switches it off.";
        return new Finding(finding.Id, finding.Severity, finding.Subject, message, [.. finding.Evidence, source], finding.Remedy, finding.Intent);
    }

    /// <summary>Per published port, the gateway-mode word: routed (no DNAT, reached at the container address), nat-unprotected (no per-port filter), isolated (no outside access).</summary>
    public static Finding? GatewayMode(PublishedPortFact p)
    {
        ArgumentNullException.ThrowIfNull(p);
        var subject = FindingSubject.ForPort(p.Port, p.Protocol, p.Family);
        var evidence = new[] { $"Engine /networks: {p.Network} com.docker.network.bridge.gateway_mode_ipv{(p.Family == Sysctl.IpFamily.IPv6 ? 6 : 4)}={p.GatewayMode}" };
        return p.GatewayMode switch
        {
            "routed" => new Finding(FindingIds.DockerGatewayMode, FindingSeverity.Info, subject,
                $"{p.ContainerName}'s network {p.Network} is in gateway mode routed: Docker makes no DNAT rule for {subject}; outside clients reach the container at {p.ContainerIp}:{p.ContainerPort} through a route to the network, and the host port is not used.",
                evidence, [], RepairIntent.Nothing),
            "nat-unprotected" => new Finding(FindingIds.DockerGatewayMode, FindingSeverity.Info, subject,
                $"{p.ContainerName}'s network {p.Network} is in gateway mode nat-unprotected: Docker DNATs {subject} but makes no per-port filter rule, so every port of the container is reachable by routing; the FORWARD policy is not judged per port.",
                evidence, [], RepairIntent.Nothing),
            "isolated" => new Finding(FindingIds.DockerGatewayMode, FindingSeverity.Warning, subject,
                $"{p.ContainerName}'s network {p.Network} is in gateway mode isolated: it has no route to or from outside, so {subject} cannot answer outside clients.",
                evidence, [Remedy.Bash($"docker network create -o com.docker.network.bridge.gateway_mode_ipv4=nat ...  # and connect {p.ContainerName} to it")], RepairIntent.Nothing),
            _ => null,
        };
    }

    /// <summary>
    /// With the nftables backend: the iptables filter FORWARD policy DROP still drops what Docker's nftables accepted
    /// (both hook forward; a packet must be accepted by every base chain).
    /// </summary>
    public static Finding? NftablesVersusIptables(HostFacts facts, PublishedPortFact p)
    {
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentNullException.ThrowIfNull(p);
        if (!IsNftables(facts) || p.IptablesForwardAccepts != false || !p.DnatRulePresent)
        {
            return null;
        }

        // An IPv6 port's packets pass ip6tables' FORWARD, not iptables': judged and named by its own family.
        var v6 = p.Family == Sysctl.IpFamily.IPv6;
        var tool = v6 ? "ip6tables" : "iptables";
        var subject = FindingSubject.ForPort(p.Port, p.Protocol, p.Family);
        var dropping = (v6 ? facts.Iptables6 ?? [] : facts.Iptables).Where(v => v.ForwardPolicy == "DROP").Select(v => $"{tool}-{v.Variant}: :FORWARD DROP").ToList();
        var to = v6 ? $"[{p.ContainerIp}]:{p.ContainerPort}" : $"{p.ContainerIp}:{p.ContainerPort}";
        return new Finding(FindingIds.NftablesForwardDroppedByIptables, FindingSeverity.Error, subject,
            $"Docker's nftables rules accept forwarded traffic to {to}, but the {tool} filter FORWARD policy is DROP and no {tool} rule accepts it: " +
            $"a packet must pass every forward hook, so outside clients time out on {subject}. Docker's nftables backend does not touch {tool} (no DOCKER-USER): accept the traffic there yourself.",
            [.. dropping, $"nft {(v6 ? "ip6" : "ip")} docker-bridges: dnat and accept for {subject} -> {to} present", $"no {tool} FORWARD ACCEPT rule for the container or its bridge"],
            [Remedy.Bash($"{tool} -I FORWARD -d {p.ContainerIp} -p {p.Protocol} --dport {p.ContainerPort} -j ACCEPT"), Remedy.Bash($"{tool} -P FORWARD ACCEPT  # when nothing else needs the DROP policy")],
            RepairIntent.Nothing);
    }
}
