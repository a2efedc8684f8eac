using System.Globalization;
using DockerHostTools.Core.Firewalld;
using DockerHostTools.Core.Iptables;
using DockerHostTools.Core.Repair;

namespace DockerHostTools.Core.Diagnosis;

/// <summary>
/// Turns facts into findings. The severities follow what the real lab shows: with Docker's DNAT rule in place, forwarded
/// traffic never reaches firewalld's INPUT filtering, so a closed port is a Warning (it breaks once the rule is flushed)
/// and an Error once the rule is gone; docker-proxy keeps a port answering without the DNAT rule only when firewalld does
/// not reject it.
/// </summary>
public static class DockerHostChecks
{
    /// <summary>Every finding for the host, Errors first. <paramref name="ports"/> narrows the per-port checks.</summary>
    public static IReadOnlyList<Finding> Evaluate(HostFacts facts, IReadOnlyCollection<int>? ports = null)
    {
        ArgumentNullException.ThrowIfNull(facts);
        // An engine elsewhere (Docker Desktop, another host) or rootless: one clear finding and what applies to it, instead of the host's checks.
        if (EngineSettingsChecks.NotRootfulHere(facts, ports) is { } notHere)
        {
            return notHere;
        }

        var findings = new List<Finding>();
        var dockerService = facts.Services.FirstOrDefault(s => s.Name == "docker.service");
        var firewalldService = facts.Services.FirstOrDefault(s => s.Name == "firewalld.service");
        var dockerUp = facts.Docker.EngineReachable && (dockerService is null || dockerService.ActiveState == UnitActiveState.Active);

        // IPv6 is judged only where the engine has it in play (IPv6Use): an IPv4-only host gets no IPv6 finding.
        var ipv6 = IPv6Use(facts);

        // Cause 3: forwarding.
        foreach (var f in facts.IpForward)
        {
            findings.AddRange(IpForwardChecks.Evaluate(f, f.Family == Sysctl.IpFamily.IPv6 ? facts.ResetRisks6 ?? [] : facts.ResetRisks, ipv6)
                .Select(x => EngineSettingsChecks.FollowIpForward(x, facts)));
        }

        // What could not be read: the verdicts drawn from those files stand, with less certainty (their messages say so).
        if (facts.Unreadable.Count > 0)
        {
            var root = facts.Unreadable.Any(u => u.Reason == Native.UnreadableReason.AccessDenied);
            findings.Add(new Finding(FindingIds.HostReadIncomplete, FindingSeverity.Info, FindingSubject.ForHostFiles(),
                $"{facts.Unreadable.Count} host file(s) could not be read ({string.Join(", ", facts.Unreadable)}): the forwarding verdicts " +
                "are drawn from the other files and may be wrong" + (root ? "; run as root to read them." : "."),
                facts.Unreadable.Select(u => $"{u.Path}: {u.Message ?? u.Reason.ToString()}").ToList(),
                root ? [Remedy.Bash("sudo pwsh -c Test-DockerHost")] : [], RepairIntent.Nothing));
        }

        // The engine itself.
        if (!dockerUp && (dockerService is { LoadState: "loaded" } || facts.Docker.EngineError is not null && dockerService?.LoadState != "not-found"))
        {
            findings.Add(new Finding(FindingIds.DockerServiceDown, FindingSeverity.Error, FindingSubject.ForUnit("docker.service"),
                dockerService?.ActiveState == UnitActiveState.Active
                    // A hung dockerd (stopped, deadlocked): the unit is active but the Engine API does not answer.
                    ? $"dockerd does not answer although docker.service is active (hung?): {facts.Docker.EngineError} Published ports and Docker's rules cannot be checked; restarting docker is the remedy."
                    : "dockerd is not running: no published port answers, and nothing re-creates Docker's rules.",
                [$"systemctl: docker.service {ActiveText(dockerService)}/{dockerService?.SubState ?? "?"}", $"Engine API: {facts.Docker.EngineError ?? "answered"}"],
                [Remedy.PowerShell("Repair-DockerChain -Confirm:$false"), Remedy.Bash("systemctl reset-failed docker.service docker.socket", "systemctl start docker")], RepairIntent.RestartEngine));
        }

        var ipt = facts.Iptables;
        var dockerVariant = ipt.FirstOrDefault(v => v.HoldsDockerRules && v.Variant == facts.DefaultIptablesVariant)
            ?? ipt.FirstOrDefault(v => v.HoldsDockerRules)
            ?? ipt.FirstOrDefault(v => v.Variant == facts.DefaultIptablesVariant);

        // Whether firewalld can flush Docker's rules (by version, backend, direct rules): who to suspect when they are gone.
        var fw = facts.Firewalld;
        var fwRunning = fw.State == FirewalldRunState.Running;
        var flushes = FirewalldFlushing.FlushesIptables(fw.Version, fw.Backend, fw.DirectRules);
        var flushWords = FirewalldFlushing.Describe(fw.Version, fw.Backend, fw.DirectRules);
        var flusher = fwRunning && flushes == false
            ? $"something other than firewalld flushed Docker's rules ({flushWords}; look at nftables.service, iptables-restore or netfilter-persistent scripts)"
            : "something (usually a firewalld start or reload) flushed Docker's rules";

        // firewalld (or its bus) there but not answering in time: say so, or its silence reads as health. Other ways of
        // being unreachable (no bus in a chroot, not authorized) are not a hang and are not said to be one.
        if (fw.State == FirewalldRunState.Unreachable && fw.NotResponding)
        {
            findings.Add(new Finding(FindingIds.FirewalldNotResponding, FindingSeverity.Warning, FindingSubject.ForUnit("firewalld.service"),
                $"firewalld did not answer, so its zones, ports and policies could not be checked (the rules already in the kernel still filter traffic, " +
                $"but firewall-cmd hangs and a reload cannot be done): {fw.Message}",
                [$"firewalld {fw.Version}: {fw.Message}", $"systemctl: firewalld.service {ActiveText(firewalldService)}/{firewalldService?.SubState ?? "?"}"],
                [flushes == false ? Remedy.Bash("systemctl restart firewalld") : Remedy.Bash("systemctl restart firewalld", "systemctl restart docker")],
                RepairIntent.Nothing));
        }

        // The daemon's own settings: iptables false (nothing of Docker's to judge in the firewall), the nftables backend's table.
        findings.AddRange(EngineSettingsChecks.Settings(facts, dockerUp));
        var judgeIptables = EngineSettingsChecks.JudgesIptables(facts);
        var nftables = facts.Daemon.IptablesOn && EngineSettingsChecks.IsNftables(facts);

        // Cause 2: Docker's chains (none when the engine keeps its rules in nftables or makes none).
        if (dockerUp && dockerVariant is not null && judgeIptables)
        {
            // Which chains this engine makes is the catalog's word for its version (28.x: DOCKER-INTERNAL only with an
            // internal network; 29: no isolation chains), so a snapshot read by an older module is judged the same way.
            var engineMajor = VersionNumber.Major(facts.Docker.Version);
            var expected = DockerChainCatalog.ExpectedFor(engineMajor, spec => dockerVariant.Chains.Any(c => c.Table == spec.Table && c.Chain == spec.Chain && c.Exists))
                .Select(spec => spec.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var c in dockerVariant.Chains.Where(c => (!c.Exists || c.JumpCount == 0) &&
                (DockerChainCatalog.Find(c.Table, c.Chain) is null || expected.Contains($"{c.Table}/{c.Chain}"))))
            {
                var vital = DockerChainCatalog.IsVital(c.Table, c.Chain);
                var what = c.Exists ? "exists but nothing jumps into it" : "is missing";
                findings.Add(new Finding(FindingIds.DockerChainMissing, vital ? FindingSeverity.Error : FindingSeverity.Warning,
                    FindingSubject.ForChain(dockerVariant.Variant, c.Table, c.Chain),
                    $"Docker's chain {c.Table}/{c.Chain} {what} in iptables-{dockerVariant.Variant}: {flusher}.",
                    [$"iptables-{dockerVariant.Variant}-save: chain {c.Table}/{c.Chain} {(c.Exists ? "present" : "absent")}, {c.JumpCount} jump(s) into it"],
                    RestartEngine, RepairIntent.RestartEngine));
            }

            // The same per family: Docker's ip6tables chains, where the engine uses ip6tables for an IPv6 network.
            if (ipv6)
            {
                findings.AddRange(ChainFindings(facts, Ip6Variant(facts), Sysctl.IpFamily.IPv6, engineMajor, flusher));
            }

            var other = ipt.FirstOrDefault(v => v.HoldsDockerRules && v.Variant != facts.DefaultIptablesVariant);
            if (other is not null && facts.DefaultIptablesVariant is not null)
            {
                findings.Add(new Finding(FindingIds.DockerRulesInOtherVariant, FindingSeverity.Warning, FindingSubject.ForVariant(other.Variant),
                    $"Docker's rules live in iptables-{other.Variant}, but 'iptables' (and firewalld) use iptables-{facts.DefaultIptablesVariant}: two rule sets filter the same packets and 'iptables -L' does not show Docker's rules.",
                    [$"iptables-{other.Variant}-save holds Docker's chains", $"the iptables alternative points at iptables-{facts.DefaultIptablesVariant}"],
                    [Remedy.Bash($"update-alternatives --set iptables /usr/sbin/iptables-{facts.DefaultIptablesVariant}", "systemctl restart docker")], RepairIntent.Nothing));
            }
        }

        // firewalld started after dockerd.
        var dockerActive = dockerService is { ActiveState: UnitActiveState.Active, ActiveEnterMonotonicUs: > 0 };
        var fwActive = fwRunning && firewalldService is { ActiveState: UnitActiveState.Active };
        var startedAfter = dockerActive && fwActive && firewalldService!.ActiveEnterMonotonicUs > dockerService!.ActiveEnterMonotonicUs;
        var rulesMissing = findings.Any(x => x.Id is FindingIds.DockerChainMissing or FindingIds.DockerNftablesMissing && x.Severity == FindingSeverity.Error) ||
            facts.Docker.Ports.Any(p => !p.DnatRulePresent && (p.Family == Sysctl.IpFamily.IPv4 || ipv6 && !nftables) && EngineSettingsChecks.ExpectsDnat(facts, p));
        var startEvidence = dockerActive && firewalldService is not null
            ? $"systemctl: firewalld active since {Stamp(firewalldService.ActiveSince)}, docker active since {Stamp(dockerService!.ActiveSince)}"
            : "systemctl: no start times";

        // dockerd that started while firewalld was not running listens for no firewalld reload: systemd's timestamps say
        // firewalld went down before dockerd started and came up after it, or the engine itself (28+) says its firewall
        // backend has no firewalld in it although firewalld runs (as at boot when firewalld 2.5's Type=simple unit is not
        // ready yet).
        var engineWithoutFirewalld = fwActive && dockerActive && facts.Docker.FirewallBackend is { Length: > 0 } driver &&
            !driver.Contains("firewalld", StringComparison.OrdinalIgnoreCase);
        var stoppedBeforeDocker = startedAfter && firewalldService!.InactiveEnterMonotonicUs > 0 &&
            firewalldService.InactiveEnterMonotonicUs < dockerService!.ActiveEnterMonotonicUs;
        // One severity for both findings about firewalld's start: a firewalld that cannot flush Docker's rules removed none
        // of them (only worth knowing, and a missing handler then costs nothing); else Error with the rules gone, Warning while intact.
        var startSeverity = fwRunning && flushes == false ? FindingSeverity.Info : rulesMissing ? FindingSeverity.Error : FindingSeverity.Warning;
        if (!facts.Daemon.IptablesOn)
        {
            // No rules of Docker's for firewalld to flush: its start order costs published ports nothing.
        }
        else if (engineWithoutFirewalld || stoppedBeforeDocker)
        {
            var severity = startSeverity;
            findings.Add(new Finding(FindingIds.FirewalldStartedWithoutDockerHandler, severity, FindingSubject.ForUnit("firewalld.service"),
                severity switch
                {
                    FindingSeverity.Error => "dockerd started while firewalld was not running, so it has no handler for firewalld's reloads: firewalld flushed Docker's rules and nothing puts them back. Restart docker.",
                    FindingSeverity.Warning => "dockerd started while firewalld was not running, so it has no handler for firewalld's reloads: the next firewalld reload or restart flushes Docker's rules for good. Restart docker.",
                    _ => $"dockerd started while firewalld was not running, so it made no docker zone or docker-forwarding policy and does not follow firewalld's reloads; {flushWords}, so this costs published ports nothing.",
                },
                [startEvidence,
                    stoppedBeforeDocker ? "systemctl: firewalld went inactive before docker started (InactiveEnterTimestampMonotonic)" : $"Engine /info: FirewallBackend Driver {facts.Docker.FirewallBackend} (no firewalld in it)",
                    flushWords],
                RestartEngine, severity == FindingSeverity.Info ? RepairIntent.Nothing : RepairIntent.RestartEngine));
        }
        else if (startedAfter)
        {
            var severity = startSeverity;
            findings.Add(new Finding(FindingIds.FirewalldStartedAfterDocker, severity, FindingSubject.ForUnit("firewalld.service"),
                severity switch
                {
                    FindingSeverity.Error => "firewalld (re)started after dockerd and flushed Docker's rules; dockerd did not put them back.",
                    FindingSeverity.Warning => "firewalld (re)started after dockerd; dockerd re-added its rules this time, but it does not always.",
                    _ => $"firewalld (re)started after dockerd; {flushWords}, so it is not what removed any of them.",
                },
                [startEvidence,
                    facts.Docker.FirewallReloadedAt is { } at ? $"Engine /info: FirewallBackend ReloadedAt {Stamp(at)}" : "Engine /info: no firewall reload report (API < 1.48)",
                    flushWords],
                RestartEngine, rulesMissing ? RepairIntent.RestartEngine : RepairIntent.Nothing)); // with the rules intact, restarting the engine would only cost downtime
        }

        findings.AddRange(DockerFirewalldObjects(facts, fwRunning && dockerUp && judgeIptables && dockerVariant is { HoldsDockerRules: true } && !engineWithoutFirewalld && !stoppedBeforeDocker));

        // Per published port.
        // An IPv6 binding ([::]) is judged on ip6tables only where IPv6 is in play; where ip6tables is not the engine's, docker-proxy serves it.
        // A [::] binding of a container without an IPv6 address (IPv4 family, host address [::]) has no DNAT rule of its own:
        // docker-proxy serves it, and IPv6OnlyBindings judges it alone (not twice, as an IPv4 port too).
        var published = facts.Docker.Ports.Where(p => (ports is null || ports.Count == 0 || ports.Contains(p.Port)) &&
            (p.Family == Sysctl.IpFamily.IPv4 && !IsIPv6Binding(p) || p.Family == Sysctl.IpFamily.IPv6 && ipv6)).ToList();
        if (ports is { Count: > 0 } && facts.Docker.EngineReachable)
        {
            // A port some running container publishes (on whatever family) is not "not running": PublishedOnIPv6Only says what is true of it.
            foreach (var wanted in ports.Where(p => published.All(x => x.Port != p) && facts.Docker.Ports.All(x => x.Port != p)))
            {
                var stopped = facts.Docker.StoppedContainers.Where(c => c.Ports.Any(x => x.StartsWith(wanted.ToString(CultureInfo.InvariantCulture) + "/", StringComparison.Ordinal))).ToList();
                var target = $"{wanted}/tcp";
                findings.Add(new Finding(FindingIds.ContainerNotRunning, FindingSeverity.Error, FindingSubject.ForPort(wanted, "tcp"),
                    stopped.Count > 0
                        ? $"The container that publishes {target} ({string.Join(", ", stopped.Select(s => s.Name))}) is not running."
                        : $"No running container publishes {target}.",
                    stopped.Count > 0 ? stopped.Select(s => $"Engine API: container {s.Name} {s.State} ({s.Status})").ToList()
                        : [$"Engine API: no running container publishes {wanted}; stopped containers: {string.Join(", ", facts.Docker.StoppedContainers.Select(s => s.Name).DefaultIfEmpty("none"))}"],
                    stopped.Count > 0
                        ? [Remedy.PowerShell($"Test-DockerHost -Port {wanted} | Repair-DockerHost -Confirm:$false"), Remedy.Bash($"docker start {string.Join(' ', stopped.Select(s => s.Name))}")]
                        : [Remedy.Bash($"docker ps -a  # then start (docker start NAME) or run (docker run -d -p {wanted}:{wanted} IMAGE) the container that should publish {wanted}")],
                    stopped.Count > 0 ? RepairIntent.StartContainers(stopped.Select(s => s.Name)) : RepairIntent.Nothing));
            }
        }

        findings.AddRange(IPv6OnlyBindings(facts, ports, ipv6));

        foreach (var p in published)
        {
            var v6 = p.Family == Sysctl.IpFamily.IPv6;
            var subject = FindingSubject.ForPort(p.Port, p.Protocol, p.Family);
            var target = subject.ToString();
            var family = v6 ? facts.Iptables6 : facts.Iptables;
            var tool = v6 ? "ip6tables" : "iptables";
            // firewalld's zones filter a port whatever the family: said once, on the IPv4 binding (on the IPv6 one when it is the only one).
            var firewalldJudged = !v6 || !published.Any(x => x.Family == Sysctl.IpFamily.IPv4 && x.Port == p.Port && x.Protocol == p.Protocol);
            var zone = fw.OutsideZone;
            var inZone = fw.Ports.FirstOrDefault(x => x.Zone == zone && x.Port == p.Port && x.Protocol == p.Protocol);
            var openRuntime = inZone?.RuntimeOpenBy is not null;
            var openPermanent = inZone?.PermanentOpenBy is not null;
            var fwRejects = fwRunning && !openRuntime;
            if (EngineSettingsChecks.GatewayMode(p) is { } mode)
            {
                findings.Add(mode);
            }

            if (EngineSettingsChecks.NftablesVersusIptables(facts, p) is { } nftDrop)
            {
                findings.Add(nftDrop);
            }

            var ruleWhere = p.ServiceName is not null ? "iptables nat/DOCKER-INGRESS" : nftables ? $"nft {(v6 ? "ip6" : "ip")} docker-bridges nat-prerouting-and-output" : $"{tool} nat/DOCKER";
            var nftFamily = v6 ? "ip6" : "ip";
            if (!EngineSettingsChecks.ExpectsDnat(facts, p) || nftables && facts.DockerNftables?.FirstOrDefault(t => t.Family == nftFamily) is null or { Exists: false })
            {
                // (With the nftables backend an IPv6 binding is judged on ip6 docker-bridges, like the IPv4 one on ip
                // docker-bridges; its ip6tables chains are empty by design. A table not read or gone is not judged per port:
                // DockerNftablesMissing says so for ip docker-bridges, and for ip6 docker-bridges where IPv6 is in play.)
                // No DNAT rule is expected (iptables false, a routed or isolated network), or the whole nftables table is gone.
            }
            else if (!p.DnatRulePresent)
            {
                // userland-proxy: false: no docker-proxy answers for a lost DNAT rule.
                var hidden = p.ProxyListening && !fwRejects && facts.Daemon.UserlandProxyOn && p.ServiceName is null;
                findings.Add(new Finding(FindingIds.DockerDnatMissing, hidden ? FindingSeverity.Warning : FindingSeverity.Error, subject,
                    hidden
                        ? $"The DNAT rule of {target} ({p.ContainerName}) is gone; docker-proxy still answers, so it looks healthy, but the registry sees the host's address instead of the client's."
                        : $"The DNAT rule of {target} ({p.ContainerName}) is gone: outside traffic no longer reaches the container{(fwRejects ? " and firewalld rejects it at the host" : string.Empty)}.",
                    [$"{ruleWhere}: no DNAT for {target}{(p.ServiceName is null ? string.Empty : " (swarm service " + p.ServiceName + ")")} -> {p.ContainerIp}:{p.ContainerPort}",
                        facts.Daemon.UserlandProxyOn ? $"docker-proxy listening on {p.Port}: {(p.ProxyListening ? "yes" : "no")}" : "dockerd: userland-proxy false (no docker-proxy answers without the DNAT rule)",
                        fwRunning ? $"firewalld zone {zone}: {target} {(openRuntime ? "open" : "not open")} at runtime" : $"firewalld: {fw.State}"],
                    RestartEngine, RepairIntent.RestartEngine));
            }
            else if (nftables)
            {
                if (!p.ForwardAccepted && p.GatewayMode != "nat-unprotected")
                {
                    var to = v6 ? $"[{p.ContainerIp}]:{p.ContainerPort}" : $"{p.ContainerIp}:{p.ContainerPort}";
                    findings.Add(new Finding(FindingIds.ForwardPolicyDrop, FindingSeverity.Error, subject,
                        $"Docker's nftables chain for {p.Network ?? "the network"} has no accept for {to}/{p.Protocol}: its 'UNPUBLISHED PORT DROP' rule drops the forwarded traffic and outside clients time out on {target}.",
                        [$"nft {nftFamily} docker-bridges: dnat for {target} present, no '{nftFamily} daddr {p.ContainerIp} {p.Protocol} dport {p.ContainerPort} accept' in filter-forward-in__*"],
                        RestartEngine, RepairIntent.RestartEngine));
                }
            }
            else if (judgeIptables || p.ServiceName is not null)
            {
                var policy = family.FirstOrDefault(v => v.Variant == p.RuleVariant)?.ForwardPolicy;
                if (!p.ForwardAccepted && string.Equals(policy, "DROP", StringComparison.Ordinal) && p.GatewayMode != "nat-unprotected")
                {
                    findings.Add(new Finding(FindingIds.ForwardPolicyDrop, FindingSeverity.Error, subject,
                        $"The {(v6 ? "ip6tables " : string.Empty)}FORWARD policy is DROP and no rule accepts forwarded traffic to {(v6 ? $"[{p.ContainerIp}]" : p.ContainerIp)}:{p.ContainerPort}: outside clients time out on {target}.",
                        [$"{tool}-{p.RuleVariant}: :FORWARD DROP", $"no ACCEPT rule in Docker's {tool} chains for {p.ContainerIp} port {p.ContainerPort}/{p.Protocol}"],
                        [Remedy.Bash("systemctl restart docker"), Remedy.Bash($"{tool} -I DOCKER-USER -d {p.ContainerIp} -p {p.Protocol} --dport {p.ContainerPort} -j ACCEPT")], RepairIntent.Nothing));
                }
            }

            var user = family.FirstOrDefault(v => v.Variant == (p.RuleVariant ?? (v6 ? Ip6Variant(facts)?.Variant : dockerVariant?.Variant)))?.Chains.FirstOrDefault(c => c.Table == "filter" && c.Chain == "DOCKER-USER");
            var drops = !judgeIptables ? [] : user?.Rules.Where(r => r.Contains(" -j DROP", StringComparison.Ordinal) || r.Contains(" -j REJECT", StringComparison.Ordinal)).ToList() ?? [];
            if (drops.Count > 0)
            {
                // Only a bare DROP/REJECT surely matches this port's traffic; one with matches (-s, -i, --dport...) may not.
                var unconditional = drops.Any(r => r.Trim() is "-A DOCKER-USER -j DROP" or "-A DOCKER-USER -j REJECT");
                findings.Add(new Finding(FindingIds.DockerUserDrop, unconditional ? FindingSeverity.Error : FindingSeverity.Warning, subject,
                    unconditional
                        ? $"DOCKER-USER drops traffic to {target} before Docker's own rules see it."
                        : $"DOCKER-USER holds DROP/REJECT rules that may match traffic to {target}; check they are meant.",
                    drops.Select(r => $"{tool} filter/DOCKER-USER: " + r).ToList(),
                    [Remedy.Bash([.. drops.Select(r => $"{tool} " + r.Replace("-A DOCKER-USER", "-D DOCKER-USER", StringComparison.Ordinal))])], RepairIntent.Nothing));
            }

            // StrictForwardPorts=yes: firewalld rejects DNATed traffic to a port it has no forward-port for.
            var forwarded = fw.ForwardPorts.Any(f => f.Contains($"port={p.Port}:", StringComparison.Ordinal) && f.Contains($"proto={p.Protocol}", StringComparison.Ordinal));
            if (firewalldJudged && fwRunning && fw.StrictForwardPorts == true && p.DnatRulePresent && !forwarded && zone is not null && facts.Daemon.IptablesOn)
            {
                findings.Add(new Finding(FindingIds.FirewalldStrictForwardPorts, FindingSeverity.Error, subject,
                    $"firewalld's StrictForwardPorts=yes rejects Docker-published {target} ({p.ContainerName}): zone {zone} has no forward-port for it, so outside clients time out although Docker's rules are all there.",
                    ["/etc/firewalld/firewalld.conf: StrictForwardPorts=yes", $"zone {zone} forward-ports: {(fw.ForwardPorts.Count == 0 ? "none" : string.Join(", ", fw.ForwardPorts))}",
                        $"Docker DNAT rule for {target}: present -> {p.ContainerIp}:{p.ContainerPort}"],
                    [Remedy.Bash($"firewall-cmd --zone={zone} --add-forward-port=port={p.Port}:proto={p.Protocol}:toport={p.ContainerPort}:toaddr={p.ContainerIp}",
                            $"firewall-cmd --zone={zone} --add-forward-port=port={p.Port}:proto={p.Protocol}:toport={p.ContainerPort}:toaddr={p.ContainerIp} --permanent"),
                        Remedy.Bash("sed -i 's/^StrictForwardPorts=yes/StrictForwardPorts=no/' /etc/firewalld/firewalld.conf", "firewall-cmd --reload")],
                    RepairIntent.Nothing));
            }

            // Cause 1: firewalld.
            if (firewalldJudged && fwRunning && zone is not null)
            {
                // Zones that open the port by a port or service entry (a zone whose target accepts everything, such as
                // docker or trusted, says nothing about where the admin meant to open it).
                var elsewhere = fw.Ports.Where(x => x.Zone != zone && x.Port == p.Port && x.Protocol == p.Protocol && x.RuntimeOpenBy is not null &&
                    !x.RuntimeOpenBy.StartsWith("target", StringComparison.Ordinal)).Select(x => x.Zone).ToList();
                var severity = p.DnatRulePresent ? FindingSeverity.Warning : FindingSeverity.Error;
                var evidence = new List<string>
                {
                    $"firewalld: {fw.OutsideZoneReason}",
                    $"zone {zone}: {target} runtime {(openRuntime ? "open by " + inZone!.RuntimeOpenBy : "not open")}, permanent {(openPermanent ? "open by " + inZone!.PermanentOpenBy : "not open")}",
                    $"Docker DNAT rule for {target}: {(p.DnatRulePresent ? "present (forwarded traffic bypasses firewalld's INPUT filtering)" : "missing")}",
                };
                RepairIntent Open(params FirewalldConfiguration[] configurations) => RepairIntent.OpenFirewalldPort(p.Port, p.Protocol, zone!, configurations);
                var addRuntime = $"firewall-cmd --zone={zone} --add-port={target}";
                var addPermanent = $"firewall-cmd --zone={zone} --add-port={target} --permanent";
                var addCmdlet = Remedy.PowerShell($"Add-FirewalldPort -Port {p.Port} -Protocol {p.Protocol} -Zone {zone} -Confirm:$false");
                Remedy[] remedy = [addCmdlet, Remedy.Bash(addRuntime, addPermanent)];
                if (!openRuntime && !openPermanent && elsewhere.Count > 0)
                {
                    findings.Add(new Finding(FindingIds.FirewalldZoneMismatch, severity, subject,
                        $"{target} is open in zone {string.Join(", ", elsewhere)}, but outside traffic arrives in zone {zone}, where it is not open.",
                        evidence.Append($"open at runtime in: {string.Join(", ", elsewhere)}").ToList(), remedy, Open(FirewalldConfiguration.Runtime, FirewalldConfiguration.Permanent)));
                }
                else if (!openRuntime && !openPermanent)
                {
                    findings.Add(new Finding(FindingIds.FirewalldPortClosed, severity, subject,
                        p.DnatRulePresent
                            ? flushes == false
                                ? $"{target} is not open in firewalld zone {zone}: it works only while Docker's DNAT rule exists ({flushWords}), and breaks when anything else flushes the nat table (nftables.service, iptables-restore) or dockerd runs without its rules."
                                : $"{target} is not open in firewalld zone {zone}: it works only while Docker's DNAT rule exists, and breaks when a firewalld reload flushes it."
                            : !EngineSettingsChecks.ExpectsDnat(facts, p)
                                ? $"{target} is not open in firewalld zone {zone}, and Docker makes no DNAT rule for it ({(facts.Daemon.IptablesOn ? "gateway mode " + p.GatewayMode : "iptables: false")}): outside traffic is delivered to the host's listener through INPUT, where firewalld rejects it."
                                : $"{target} is not open in firewalld zone {zone} and Docker's DNAT rule is gone: firewalld rejects outside clients.",
                        evidence, remedy, Open(FirewalldConfiguration.Runtime, FirewalldConfiguration.Permanent)));
                }
                else if (openRuntime != openPermanent)
                {
                    findings.Add(new Finding(FindingIds.FirewalldRuntimePermanentDrift, openRuntime ? FindingSeverity.Warning : severity, subject,
                        openRuntime
                            ? $"{target} is open in zone {zone} at runtime only: the next firewalld reload or restart closes it."
                            : flushes == false
                                ? $"{target} is open in zone {zone} only in the permanent configuration: not in force until a firewalld reload."
                                : $"{target} is open in zone {zone} only in the permanent configuration: not in force until a reload (which would flush Docker's rules).",
                        evidence, [addCmdlet, Remedy.Bash(openRuntime ? addPermanent : addRuntime)],
                        Open(openRuntime ? FirewalldConfiguration.Permanent : FirewalldConfiguration.Runtime)));
                }
            }
        }

        // Other things than firewalld that replace Docker's rules, or that users believe filter published ports (issue 12).
        findings.AddRange(CulpritChecks.Evaluate(facts, dockerUp, dockerVariant?.Variant, rulesMissing, published));

        return findings.OrderBy(f => f.Severity).ToList();
    }

    /// <summary>
    /// Docker's own firewalld objects, where this engine generation makes them and dockerd uses firewalld
    /// (<paramref name="dockerUsesFirewalld"/>: firewalld runs, dockerd runs with its rules, and nothing says it started
    /// without firewalld): the zone <c>docker</c> (20.10+: target ACCEPT, every Docker bridge in it) and the policy
    /// <c>docker-forwarding</c> (27+: ingress ANY, egress docker, target ACCEPT; moby libnetwork/iptables/firewalld.go).
    /// Warning, as the lab shows on every generation: published ports keep answering without them (firewalld accepts
    /// DNATed traffic, <c>ct status dnat accept</c>, and a bridge out of the zone falls into the default zone), but traffic to
    /// the containers that Docker did not DNAT, and from them to the host, is then filtered by zones Docker did not choose.
    /// </summary>
    private static IEnumerable<Finding> DockerFirewalldObjects(HostFacts facts, bool dockerUsesFirewalld)
    {
        var major = VersionNumber.Major(facts.Docker.Version);
        if (!dockerUsesFirewalld || major is null || major < 20)
        {
            yield break;
        }

        var fw = facts.Firewalld;
        var zone = fw.DockerZone;
        var zoneProblems = new List<string>();
        if (fw.RuntimeZones is null)
        {
            // zones not read (a snapshot of an older module): nothing to say about Docker's zone
        }
        else if (zone is null)
        {
            zoneProblems.Add("firewalld (runtime): no zone docker");
        }
        else
        {
            if (!string.Equals(zone.Target, "ACCEPT", StringComparison.Ordinal))
            {
                zoneProblems.Add($"zone docker: target {zone.Target} (dockerd makes it ACCEPT)");
            }

            foreach (var bridge in (facts.Docker.Bridges ?? []).Where(b => !(zone.Interfaces ?? []).Contains(b, StringComparer.Ordinal)))
            {
                zoneProblems.Add($"Docker's bridge {bridge} is not in zone docker (firewalld filters it as zone {fw.DefaultZone ?? "?"}, the default)");
            }
        }

        var targetAltered = zone is not null && fw.RuntimeZones is not null && !string.Equals(zone.Target, "ACCEPT", StringComparison.Ordinal);
        var bridgesOut = zone is not null && (facts.Docker.Bridges ?? []).Any(b => !(zone.Interfaces ?? []).Contains(b, StringComparer.Ordinal));
        if (zoneProblems.Count > 0)
        {
            yield return new Finding(FindingIds.DockerFirewalldZoneMissing, FindingSeverity.Warning, FindingSubject.ForFirewalld("docker"),
                zone is null
                    ? "Docker's firewalld zone 'docker' is missing: Docker's bridges fall into the default zone. Published ports still answer (firewalld accepts DNATed traffic), but traffic from the containers to the host and any forwarding Docker did not DNAT follow the default zone's rules. Restart docker: it re-creates the zone."
                    : "Docker's firewalld zone 'docker' is not as dockerd made it: published ports still answer (firewalld accepts DNATed traffic), but traffic from the containers to the host and any forwarding Docker did not DNAT follow zones Docker did not choose. Restart docker: it puts its bridges back in the zone.",
                [.. zoneProblems, $"Docker bridges: {string.Join(", ", (facts.Docker.Bridges ?? []).DefaultIfEmpty("none"))}", $"Docker {facts.Docker.Version} uses firewalld (it makes zone docker since 20.10)"],
                targetAltered ? [.. RestartEngine, Remedy.Bash("firewall-cmd --permanent --zone=docker --set-target=ACCEPT", "firewall-cmd --reload")] : RestartEngine,
                // dockerd re-creates a missing zone and puts its bridges back at start, but leaves an existing zone's target alone.
                zone is null || bridgesOut ? RepairIntent.RestartEngine : RepairIntent.Nothing);
        }

        if (major < 27 || fw.Policies is null)
        {
            yield break; // before 27 dockerd makes no policy; a firewalld without policies (before 0.9) has none to make
        }

        var policy = fw.Policies.FirstOrDefault(p => p.Name == FirewalldPolicies.DockerForwarding);
        var policyProblems = new List<string>();
        if (policy is null)
        {
            policyProblems.Add($"firewalld (runtime): no policy {FirewalldPolicies.DockerForwarding}; policies: {string.Join(", ", fw.Policies.Select(p => p.Name).DefaultIfEmpty("none"))}");
        }
        else
        {
            if (!string.Equals(policy.Target, "ACCEPT", StringComparison.Ordinal))
            {
                policyProblems.Add($"policy {policy.Name}: target {policy.Target} (dockerd makes it ACCEPT)");
            }

            if (!(policy.IngressZones ?? []).Contains("ANY", StringComparer.Ordinal))
            {
                policyProblems.Add($"policy {policy.Name}: ingress zones {string.Join(" ", policy.IngressZones ?? [])} (dockerd makes it ANY)");
            }

            if (!(policy.EgressZones ?? []).Contains("docker", StringComparer.Ordinal))
            {
                policyProblems.Add($"policy {policy.Name}: egress zones {string.Join(" ", policy.EgressZones ?? [])} (dockerd makes it docker)");
            }
        }

        if (policyProblems.Count > 0)
        {
            yield return new Finding(FindingIds.DockerForwardingPolicyMissing, FindingSeverity.Warning, FindingSubject.ForFirewalldPolicy(FirewalldPolicies.DockerForwarding),
                policy is null
                    ? "Docker's firewalld policy 'docker-forwarding' is missing: published ports still answer (firewalld accepts DNATed traffic), but forwarding into the docker zone that Docker did not DNAT (routed networks, other hosts reaching container addresses) is rejected. Restart docker: it re-creates the policy."
                    : "Docker's firewalld policy 'docker-forwarding' is not as dockerd made it (ingress ANY, egress docker, target ACCEPT): forwarding into the docker zone that Docker did not DNAT follows it. Restart docker after deleting the altered policy (firewall-cmd --permanent --delete-policy=docker-forwarding), or set it back.",
                [.. policyProblems, $"Docker {facts.Docker.Version} uses firewalld (it makes policy docker-forwarding since 27)"],
                policy is null ? RestartEngine
                    : [Remedy.Bash("firewall-cmd --permanent --delete-policy=docker-forwarding", "firewall-cmd --reload", "systemctl reset-failed docker.service docker.socket", "systemctl restart docker")],
                policy is null ? RepairIntent.RestartEngine : RepairIntent.Nothing);
        }
    }

    /// <summary>
    /// Ports a running container publishes only on an IPv6 host address (<c>-p [::]:8080:80</c>): IPv4 clients are refused.
    /// Where IPv6 is in play the binding is judged on ip6tables like any other; where it is not (the engine makes no
    /// ip6tables rules for it: <c>ip6tables: false</c>, an engine before 27, a container without an IPv6 address),
    /// docker-proxy serves it through INPUT, so only its listener and firewalld's zone decide, and they are judged here.
    /// </summary>
    private static IEnumerable<Finding> IPv6OnlyBindings(HostFacts facts, IReadOnlyCollection<int>? ports, bool ipv6)
    {
        var fw = facts.Firewalld;
        foreach (var g in facts.Docker.Ports.Where(p => p.ServiceName is null && (ports is null || ports.Count == 0 || ports.Contains(p.Port)))
            .GroupBy(p => (p.Port, p.Protocol)))
        {
            // A loopback-only binding ([::1]) is not reached from outside, and firewalld does not filter lo: nothing to advise.
            if (g.Any(p => !IsIPv6Binding(p)) || g.All(p => System.Net.IPAddress.TryParse(p.HostIp, out var a) && System.Net.IPAddress.IsLoopback(a)))
            {
                continue;
            }

            var p = g.First();
            var judged = ipv6 && p.Family == Sysctl.IpFamily.IPv6;
            var target = $"{p.Port}/{p.Protocol}";
            var zone = fw.State == FirewalldRunState.Running ? fw.OutsideZone : null;
            var inZone = fw.Ports.FirstOrDefault(x => x.Zone == zone && x.Port == p.Port && x.Protocol == p.Protocol);
            var closed = zone is not null && inZone?.RuntimeOpenBy is null;
            // Judged whatever userland-proxy says: with it false no docker-proxy is started, so nothing may serve the binding.
            var proxyOff = !facts.Daemon.UserlandProxyOn;
            var notListening = !judged && p.Listener is null && !p.ProxyListening;
            var served = proxyOff ? "only a listener of the host could serve it (dockerd: userland-proxy false, no docker-proxy is started)" : "docker-proxy serves it";
            var evidence = new List<string>
            {
                $"Engine API: {string.Join(", ", g.Select(x => x.ContainerName).Distinct(StringComparer.Ordinal))} publishes {target} on {string.Join(", ", g.Select(x => "[" + x.HostIp + "]").Distinct(StringComparer.Ordinal))} only",
                judged ? "IPv6 is in play: the binding is judged on ip6tables"
                    : proxyOff ? $"IPv6 not in play for Docker's rules ({Ip6Why(facts, p)}); dockerd: userland-proxy false (no docker-proxy serves the binding)"
                    : $"IPv6 not in play for Docker's rules ({Ip6Why(facts, p)}): docker-proxy serves the binding through INPUT",
            };
            if (!judged)
            {
                evidence.Add($"listener on {target}: {p.Listener ?? (p.ProxyListening ? "docker-proxy" : "none")}");
                evidence.Add(zone is null ? $"firewalld: {fw.State}" : $"firewalld zone {zone}: {target} {(closed ? "not open" : "open by " + inZone!.RuntimeOpenBy)} at runtime");
            }

            var bad = !judged && (closed || notListening);
            var message = $"{target} is published only on an IPv6 address ({p.ContainerName}): IPv4 clients are refused; only IPv6 clients can reach it. " +
                (judged
                    ? "Its IPv6 path (ip6tables, IPv6 forwarding) is judged by the other findings."
                    : $"Docker makes no ip6tables rule for it here, so {served} through the host's INPUT: " +
                      (closed ? $"firewalld zone {zone} does not open it, so IPv6 clients are rejected too."
                        : notListening ? "nothing listens on it, so IPv6 clients are refused too."
                        : "its listener and firewalld's zone let it in."));
            Remedy[] remedy = closed && !judged
                ? [Remedy.PowerShell($"Add-FirewalldPort -Port {p.Port} -Protocol {p.Protocol} -Zone {zone} -Confirm:$false"), Remedy.Bash($"docker run -p {p.Port}:{p.ContainerPort} ...  # publish on IPv4 too (0.0.0.0 and [::])")]
                : [Remedy.Bash($"docker run -p {p.Port}:{p.ContainerPort} ...  # publish on both families (0.0.0.0 and [::]) for IPv4 clients")];
            // Closed in the zone or nothing listening: IPv6 clients are refused too, so the port answers no one (an Error, as FirewalldPortClosed).
            yield return new Finding(FindingIds.PublishedOnIPv6Only, bad ? FindingSeverity.Error : FindingSeverity.Info, FindingSubject.ForPort(p.Port, p.Protocol, Sysctl.IpFamily.IPv6),
                message, evidence, remedy,
                closed && !judged ? RepairIntent.OpenFirewalldPort(p.Port, p.Protocol, zone!, [FirewalldConfiguration.Runtime, FirewalldConfiguration.Permanent]) : RepairIntent.Nothing);
        }
    }

    /// <summary>A binding on an IPv6 host address: the engine's <c>[::]</c> entry (an IPv6 port, or one of a container without an IPv6 address).</summary>
    private static bool IsIPv6Binding(PublishedPortFact p) => p.Family == Sysctl.IpFamily.IPv6 || p.HostIp?.Contains(':', StringComparison.Ordinal) == true;

    private static string Ip6Why(HostFacts facts, PublishedPortFact p) =>
        p.Family == Sysctl.IpFamily.IPv4 ? "the container has no IPv6 address"
        : facts.Daemon.Ip6tables == false ? "dockerd: ip6tables false"
        : !facts.Daemon.IptablesOn ? "dockerd: iptables false"
        : (facts.Iptables6 ?? []).Count == 0 ? "no ip6tables ruleset could be read"
        : $"Docker {facts.Docker.Version ?? "?"} makes no ip6tables rules (ip6tables is on by default from 27)";

    /// <summary>
    /// True when the engine has IPv6 in play, so that IPv6 forwarding and Docker's ip6tables rules decide whether published
    /// ports answer over IPv6: a running container has an IPv6 address (an IPv6-enabled network) and the engine uses
    /// ip6tables (its chains are there; or, with them gone, the engine is 27+, where ip6tables is on by default).
    /// </summary>
    public static bool IPv6Use(HostFacts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        var networks = (facts.Docker.IPv6Networks ?? []).Count > 0 || facts.Docker.Ports.Any(p => p.Family == Sysctl.IpFamily.IPv6);
        // The daemon's own word first (ip6tables false: docker-proxy serves [::] and no ip6tables rule is Docker's to judge),
        // else its chains, else the default of its version (27+ uses ip6tables).
        var ip6 = facts.Iptables6 ?? [];
        var on = facts.Daemon.IptablesOn && (facts.Daemon.Ip6tables ?? VersionNumber.Major(facts.Docker.Version) >= 27);
        var ip6tables = facts.Daemon.Ip6tables != false && facts.Daemon.IptablesOn && (ip6.Any(v => v.HoldsDockerRules) || on && ip6.Count > 0);
        return networks && ip6tables;
    }

    /// <summary>The ip6tables variant that holds Docker's rules (else the default variant's, else the first).</summary>
    private static IptablesVariantFact? Ip6Variant(HostFacts facts)
    {
        var ipt6 = facts.Iptables6 ?? [];
        return ipt6.FirstOrDefault(v => v.HoldsDockerRules && v.Variant == facts.DefaultIptablesVariant)
            ?? ipt6.FirstOrDefault(v => v.HoldsDockerRules)
            ?? ipt6.FirstOrDefault(v => v.Variant == facts.DefaultIptablesVariant)
            ?? ipt6.FirstOrDefault();
    }

    /// <summary>Docker's chains of one variant that are missing or unreached, judged as for IPv4 (the catalog's set for this engine).</summary>
    private static IEnumerable<Finding> ChainFindings(HostFacts facts, IptablesVariantFact? variant, Sysctl.IpFamily family, int? engineMajor, string flusher)
    {
        if (variant is null)
        {
            yield break;
        }

        var tool = family == Sysctl.IpFamily.IPv6 ? "ip6tables" : "iptables";
        var expected = DockerChainCatalog.ExpectedFor(engineMajor, spec => variant.Chains.Any(c => c.Table == spec.Table && c.Chain == spec.Chain && c.Exists), family)
            .Select(spec => spec.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var c in variant.Chains.Where(c => (!c.Exists || c.JumpCount == 0) &&
            (DockerChainCatalog.Find(c.Table, c.Chain) is null || expected.Contains($"{c.Table}/{c.Chain}"))))
        {
            var vital = DockerChainCatalog.IsVital(c.Table, c.Chain);
            var what = c.Exists ? "exists but nothing jumps into it" : "is missing";
            yield return new Finding(FindingIds.DockerChainMissing, vital ? FindingSeverity.Error : FindingSeverity.Warning,
                FindingSubject.ForChain(variant.Variant, c.Table, c.Chain, family),
                $"Docker's chain {c.Table}/{c.Chain} {what} in {tool}-{variant.Variant}: {flusher}.",
                [$"{tool}-{variant.Variant}-save: chain {c.Table}/{c.Chain} {(c.Exists ? "present" : "absent")}, {c.JumpCount} jump(s) into it"],
                RestartEngine, RepairIntent.RestartEngine);
        }
    }

    /// <summary>The two roads to an engine that re-creates its rules: the cmdlet, or systemctl in bash.</summary>
    private static Remedy[] RestartEngine =>
        [Remedy.PowerShell("Repair-DockerChain -Confirm:$false"), Remedy.Bash("systemctl reset-failed docker.service docker.socket", "systemctl restart docker")];

    private static string ActiveText(ServiceFact? unit) => unit is null ? "?" : unit.ActiveState.ToString().ToLowerInvariant();

    private static string Stamp(DateTimeOffset? t) => t?.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "?";
}
