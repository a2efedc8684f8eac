using System.Text.Json;
using DockerHostTools.Core.Diagnosis;
using DockerHostTools.Core.Docker;
using DockerHostTools.Core.Iptables;
using DockerHostTools.Core.Firewalld;
using DockerHostTools.Core.Native;
using DockerHostTools.Core.Sysctl;

namespace DockerHostTools.Core.Tests.Iptables;

// IPv6 on the three lab generations (Fixtures/ip6tables/README.md): ip6tables-nft-save and iptables-nft-save taken at the
// same moment, and the engine's /containers/json, on each generation booted with "ipv6": true, "fixed-cidr-v6":
// "2001:db8:1::/64" and ip6tables (tests/lab/nspawn/up.sh); the outside client got 200 over IPv6 from every one.
public sealed class Ip6tablesGenerationTests
{
    public static TheoryData<string, string, string> Generations => new()
    {
        { "bookworm", "1.8.9-docker-20.10.24-firewalld-1.3.3-bookworm", "20.10.24" },
        { "trixie", "1.8.11-docker-26.1.5-firewalld-2.3.1-trixie", "26.1.5" },
        { "docker28", "1.8.11-docker-28.5.2-firewalld-2.5.2-docker28", "28.5.2" },
    };

    private static IptablesRuleset Save6(string name, Func<string, string>? change = null) =>
        IptablesSaveParser.Parse((change ?? (t => t))(Fixture.Read("ip6tables", $"ip6tables-nft-save-{name}-ipv6.txt")), IptablesVariant.Nft);

    private static IptablesSnapshot Snapshot(string name, Func<string, string>? change6 = null) =>
        new([new IptablesSave("iptables-nft-save", IptablesVariant.Nft, IptablesSaveParser.Parse(Fixture.Read("ip6tables", $"iptables-nft-save-{name}-ipv6.txt"), IptablesVariant.Nft), false)],
            IptablesVariant.Nft)
        {
            Saves6 = [new IptablesSave("ip6tables-nft-save", IptablesVariant.Nft, Save6(name, change6), false, IpFamily.IPv6)],
        };

    private static IReadOnlyList<DockerContainer> Containers(string version, string generation) =>
        DockerEngineParser.ParseContainers(JsonDocument.Parse(Fixture.Read("docker-api", $"containers-{version}-{generation}-ipv6.json")).RootElement);

    // The facts of a reading made of the captured parts, with forwarding from a file tree (the checks read only facts).
    private static HostFacts Facts(HostTree t, string generation, string name, string version, Func<string, string>? change6 = null,
        IReadOnlyList<DockerContainer>? containers = null)
    {
        var ipt = Snapshot(name, change6);
        var list = containers ?? Containers(version, generation);
        var major = VersionNumber.Major(version);
        var sysctl = new IpForward(CliWrapRunner.Instance, t.Fs);
        var configuration = SysctlConfiguration.Load(t.Fs);
        return HostFactsBuilder.Build(new HostReading
        {
            HostName = generation,
            IpForward = new[] { IpFamily.IPv4, IpFamily.IPv6 }.SelectMany(f => sysctl.GetAll(f, configuration)).ToList(),
            ResetRisks = ResetRisks.Find(t.Fs),
            ResetRisks6 = ResetRisks.Find(t.Fs, null, IpFamily.IPv6),
            Iptables = ipt,
            Chains = ipt.DockerChains(major),
            Chains6 = ipt.DockerChains6(major),
            EngineVersion = new DockerEngineVersion(version, null, null, "linux", null),
            Containers = list,
            PublishedPorts = DockerPublishedPorts.Build(list, ipt, []),
        });
    }

    // The save with the lines of one table that match taken out (a fault made by the test on the captured text).
    private static string WithoutInTable(string text, string table, Func<string, bool> drop)
    {
        var current = string.Empty;
        var kept = new List<string>();
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith('*'))
            {
                current = line[1..];
            }

            if (!(current == table && drop(line)))
            {
                kept.Add(line);
            }
        }

        return string.Join('\n', kept);
    }

    private static HostTree Forwarding(string v4, string v6, bool persisted)
    {
        var t = new HostTree().File("/proc/sys/net/ipv4/ip_forward", v4)
            .File("/proc/sys/net/ipv6/conf/all/forwarding", v6).File("/proc/sys/net/ipv6/conf/default/forwarding", v6);
        return persisted
            ? t.File(IpForward.DefaultDropInPath, "net.ipv4.ip_forward = 1\nnet.ipv6.conf.all.forwarding = 1\nnet.ipv6.conf.default.forwarding = 1\n")
            : t;
    }

    private static string[] NotInfo(HostFacts facts) =>
        DockerHostChecks.Evaluate(facts).Where(f => f.Severity != FindingSeverity.Info).Select(f => $"{f.Severity} {f.Id} {f.Target}").ToArray();

    [Theory]
    [MemberData(nameof(Generations))]
    public void The_ip6tables_save_parses_and_holds_every_chain_this_engine_makes_in_ip6tables(string generation, string name, string version)
    {
        var ruleset = Save6(name);
        Assert.Equal(IptablesVariant.Nft, ruleset.Variant);
        Assert.True(IptablesSnapshot.HasDockerChains(ruleset));
        Assert.Equal("DROP", DockerChains.ForwardPolicy(ruleset));
        var chains = DockerChains.Analyze(ruleset, VersionNumber.Major(version), IpFamily.IPv6);
        Assert.All(chains.Where(c => c.Expected), c => Assert.True(c.Intact, $"{generation}: {c}"));
        // 20.10.24 makes no DOCKER-USER in ip6tables (it does in iptables): not expected there, so not missing.
        Assert.Equal(generation != "bookworm", chains.Any(c => c.Expected && c.Chain == "DOCKER-USER"));
        // ... while read as IPv4 rules the same text would miss it
        Assert.Equal(generation == "bookworm", DockerChains.Analyze(ruleset, VersionNumber.Major(version)).Any(c => c.Chain == "DOCKER-USER" && c.Expected && !c.Exists));
    }

    [Theory]
    [MemberData(nameof(Generations))]
    public void Every_published_port_has_an_ipv6_binding_with_its_dnat_and_accept_in_ip6tables(string generation, string name, string version)
    {
        var ports = DockerPublishedPorts.Build(Containers(version, generation), Snapshot(name), []);
        var reg = ports.Where(p => p.ContainerName == "dkreg").OrderBy(p => p.Family).ToList();
        Assert.Equal([IpFamily.IPv4, IpFamily.IPv6], reg.Select(p => p.Family));
        var v6 = reg[1];
        Assert.Equal(("::", 5000, "tcp", 5000), (v6.HostIp, v6.Port, v6.Protocol, v6.ContainerPort));
        Assert.StartsWith("2001:db8:1::", v6.ContainerIp, StringComparison.Ordinal);
        Assert.True(v6.DnatRulePresent, generation);
        Assert.Equal(IptablesVariant.Nft, v6.RuleVariant);
        Assert.True(v6.ForwardAccepted, generation);
        Assert.True(reg[0].PathIntact);
        Assert.Equal("192.0.2.", reg[0].ContainerIp![..8]);
    }

    [Theory]
    [MemberData(nameof(Generations))]
    public void The_hardened_healthy_host_with_ipv6_forwarding_persisted_has_no_error_and_no_warning(string generation, string name, string version)
    {
        using var t = Forwarding("1", "1", persisted: true);
        var facts = Facts(t, generation, name, version);
        Assert.True(DockerHostChecks.IPv6Use(facts));
        Assert.Equal(["bridge"], facts.Docker.IPv6Networks);
        Assert.Empty(NotInfo(facts));
    }

    [Theory]
    [MemberData(nameof(Generations))]
    public async Task Ipv6_forwarding_off_is_an_error_on_the_ipv6_key_and_repaired_by_persisting_both_keys(string generation, string name, string version)
    {
        using var t = Forwarding("1", "0", persisted: false).File("/etc/sysctl.d/30-v4.conf", "net.ipv4.ip_forward = 1\n");
        var findings = DockerHostChecks.Evaluate(Facts(t, generation, name, version));
        var ids = findings.Where(f => f.Severity != FindingSeverity.Info).Select(f => $"{f.Severity} {f.Id} {f.Target}").ToArray();
        Assert.Equal(["Error IpForwardDisabled net.ipv6.conf.all.forwarding",
            "Warning IpForwardNotPersisted net.ipv6.conf.all.forwarding",
            "Warning IpForwardDisabled net.ipv6.conf.default.forwarding",
            "Warning IpForwardNotPersisted net.ipv6.conf.default.forwarding"], ids);
        var plan = await new Core.Repair.RepairPlanner(CliWrapRunner.Instance, t.Fs, engine: null)
            .PlanAsync(findings.Where(f => f.CanRepair).Select(f => new Core.Repair.RepairRequest(f.Key, f.Intent)).ToList(), new Core.Repair.RepairOptions(), CancellationToken.None);
        var write = Assert.Single(plan.Steps, s => s.Step.Kind == "WriteDropIn");
        Assert.Equal("Write net.ipv6.conf.all.forwarding = 1, net.ipv6.conf.default.forwarding = 1", write.Step.Action);
        Assert.Equal(IpForward.DefaultDropInPath, write.Step.Target);
    }

    [Theory]
    [MemberData(nameof(Generations))]
    public void An_ipv4_only_engine_gives_no_ipv6_finding_although_ipv6_forwarding_is_on_at_runtime_only(string generation, string name, string version)
    {
        // The same engine, rules and forwarding, but containers without an IPv6 address (as /containers/json says on a
        // host without "ipv6": true): nothing of IPv6 is judged, not even a not-persisted IPv6 forwarding.
        using var t = Forwarding("1", "1", persisted: false).File("/etc/sysctl.d/30-v4.conf", "net.ipv4.ip_forward = 1\n");
        var v4Only = Containers(version, generation).Select(c => new DockerContainer(c.Id, c.Name, c.Image, c.State, c.Status, c.Ports, c.Networks)).ToList();
        var facts = Facts(t, generation, name, version, containers: v4Only);
        Assert.False(DockerHostChecks.IPv6Use(facts));
        Assert.Empty(NotInfo(facts));
        Assert.All(facts.Docker.Ports, p => Assert.Equal(IpFamily.IPv4, p.Family));
    }

    [Theory]
    [MemberData(nameof(Generations))]
    public void A_lost_ipv6_dnat_rule_and_a_flushed_ip6tables_nat_docker_are_judged_on_ip6tables(string generation, string name, string version)
    {
        using var t = Forwarding("1", "1", persisted: true);
        // the DNAT of 5000 gone from ip6tables nat DOCKER (iptables untouched): the IPv6 binding only
        var dnatGone = NotInfo(Facts(t, generation, name, version,
            text => WithoutInTable(text, "nat", l => l.StartsWith("-A DOCKER ", StringComparison.Ordinal) && l.Contains("--dport 5000 -j DNAT", StringComparison.Ordinal))));
        Assert.Equal(["Error DockerDnatMissing [::]:5000/tcp"], dnatGone);

        // nat DOCKER flushed in ip6tables (the chain and the jumps into it gone, as a flush of the table leaves it)
        var flushed = NotInfo(Facts(t, generation, name, version, text => WithoutInTable(text, "nat",
            l => l == ":DOCKER - [0:0]" || l.StartsWith("-A DOCKER ", StringComparison.Ordinal) || l.EndsWith("-j DOCKER", StringComparison.Ordinal))));
        Assert.Contains("Error DockerChainMissing ip6tables-Nft:nat/DOCKER", flushed);
        Assert.Contains("Error DockerDnatMissing [::]:5000/tcp", flushed);
        Assert.DoesNotContain(flushed, f => f.Contains(" 5000/tcp", StringComparison.Ordinal) && !f.Contains("[::]", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Generations))]
    public void The_ip6tables_forward_drop_policy_without_dockers_accept_is_forward_policy_drop_with_the_ipv6_target(string generation, string name, string version)
    {
        using var t = Forwarding("1", "1", persisted: true);
        var findings = DockerHostChecks.Evaluate(Facts(t, generation, name, version,
            text => WithoutInTable(text, "filter", l => l.StartsWith("-A DOCKER -d 2001:db8:1::", StringComparison.Ordinal) && l.Contains("--dport 5000 -j ACCEPT", StringComparison.Ordinal))));
        var f = Assert.Single(findings, f => f.Severity != FindingSeverity.Info);
        Assert.Equal((FindingIds.ForwardPolicyDrop, FindingSeverity.Error, "[::]:5000/tcp"), (f.Id, f.Severity, f.Target));
        Assert.Contains("ip6tables", f.Message, StringComparison.Ordinal);
        Assert.Contains(f.Remedy, r => r.Command.StartsWith("ip6tables -I DOCKER-USER -d 2001:db8:1::", StringComparison.Ordinal));
        Assert.Equal(FindingSubject.ForPort(5000, "tcp", IpFamily.IPv6), f.Subject);
        Assert.NotEqual(FindingSubject.ForPort(5000, "tcp"), f.Subject);
    }

    [Theory]
    [MemberData(nameof(Generations))]
    public void A_port_published_only_on_ipv6_where_ipv6_is_not_in_play_is_said_to_be_so_not_container_not_running(string generation, string name, string version)
    {
        using var t = Forwarding("1", "1", persisted: true);
        // dkreg publishes 5000 on [::] only (the test keeps only the engine's "::" entry of the captured /containers/json).
        static IReadOnlyList<DockerContainer> V6Only(IEnumerable<DockerContainer> list, bool withIPv6) => list.Select(c =>
            new DockerContainer(c.Id, c.Name, c.Image, c.State, c.Status, c.Name == "dkreg" ? c.Ports.Where(p => p.IP == "::").ToList() : c.Ports, c.Networks)
            { Networks6 = withIPv6 ? c.Networks6 : new Dictionary<string, string>() }).ToList();

        // 1. the container has its IPv6 address but dockerd runs with ip6tables false: docker-proxy serves [::]:5000.
        var facts = Facts(t, generation, name, version, containers: V6Only(Containers(version, generation), withIPv6: true));
        facts = facts with { Daemon = DaemonSettingsReader.Parse(["dockerd", "--ip6tables=false"], null, null, null) with { ProcessFound = true } };
        Assert.False(DockerHostChecks.IPv6Use(facts));
        var f = DockerHostChecks.Evaluate(facts, [5000]);
        Assert.DoesNotContain(f, x => x.Id == FindingIds.ContainerNotRunning);
        var only = Assert.Single(f, x => x.Id == FindingIds.PublishedOnIPv6Only);
        Assert.Equal("[::]:5000/tcp", only.Target);
        Assert.Contains("IPv4 clients are refused", only.Message, StringComparison.Ordinal);
        Assert.Contains(only.Evidence, e => e.Contains("dockerd: ip6tables false", StringComparison.Ordinal));
        Assert.Equal(FindingSeverity.Error, only.Severity); // no listener was captured here: nothing would answer
        Assert.Contains("nothing listens on it", only.Message, StringComparison.Ordinal);
        var listening = facts with { Docker = facts.Docker with { Ports = facts.Docker.Ports.Select(p => p with { ProxyListening = true, Listener = "[::]:5000 (docker-proxy[77])" }).ToList() } };
        var served = Assert.Single(DockerHostChecks.Evaluate(listening, [5000]), x => x.Id == FindingIds.PublishedOnIPv6Only);
        Assert.Equal(FindingSeverity.Info, served.Severity);
        Assert.DoesNotContain(DockerHostChecks.Evaluate(listening, [5000]), x => x.Severity != FindingSeverity.Info && x.Subject.Kind == SubjectKind.Port);

        // 2. a container without an IPv6 address publishing [::]:5000 only: no DNAT rule is expected (docker-proxy alone).
        var noAddress = Facts(t, generation, name, version, containers: V6Only(Containers(version, generation), withIPv6: false));
        var port = Assert.Single(noAddress.Docker.Ports, p => p.ContainerName == "dkreg");
        Assert.Equal((IpFamily.IPv4, "::"), (port.Family, port.HostIp));
        var g = DockerHostChecks.Evaluate(noAddress, [5000]);
        Assert.DoesNotContain(g, x => x.Id is FindingIds.ContainerNotRunning or FindingIds.DockerDnatMissing);
        Assert.Contains(Assert.Single(g, x => x.Id == FindingIds.PublishedOnIPv6Only).Evidence, e => e.Contains("the container has no IPv6 address", StringComparison.Ordinal));

        // 3. where IPv6 is in play the [::]-only binding is judged on ip6tables (healthy here), and IPv4 clients' refusal said as Info.
        var inPlay = Facts(t, generation, name, version, containers: V6Only(Containers(version, generation), withIPv6: true));
        Assert.True(DockerHostChecks.IPv6Use(inPlay));
        var h = DockerHostChecks.Evaluate(inPlay, [5000]);
        Assert.Equal(FindingSeverity.Info, Assert.Single(h, x => x.Id == FindingIds.PublishedOnIPv6Only).Severity);
        Assert.DoesNotContain(h, x => x.Severity != FindingSeverity.Info);

        // A port nobody publishes is still ContainerNotRunning.
        Assert.Contains(DockerHostChecks.Evaluate(facts, [5999]), x => x.Id == FindingIds.ContainerNotRunning && x.Target == "5999/tcp");
    }

    // dkreg publishes 5000 on [::] only (the engine's "::" entry kept), with or without its IPv6 address.
    private static IReadOnlyList<DockerContainer> V6OnlyDkreg(IEnumerable<DockerContainer> list, bool withIPv6, string hostIp = "::") => list.Select(c =>
        new DockerContainer(c.Id, c.Name, c.Image, c.State, c.Status, c.Name == "dkreg" ? c.Ports.Where(p => p.IP == "::").Select(p => new DockerPortBinding(hostIp, p.PublicPort, p.PrivatePort, p.Type)).ToList() : c.Ports, c.Networks)
        { Networks6 = withIPv6 ? c.Networks6 : new Dictionary<string, string>() }).ToList();

    [Theory]
    [MemberData(nameof(Generations))]
    public void A_v6_only_binding_of_a_container_without_an_ipv6_address_behind_a_closed_zone_is_one_published_on_ipv6_only_error_not_firewalld_port_closed_too(string generation, string name, string version)
    {
        using var t = Forwarding("1", "1", persisted: true);
        var facts = Facts(t, generation, name, version, containers: V6OnlyDkreg(Containers(version, generation), withIPv6: false));
        facts = facts with
        {
            Firewalld = facts.Firewalld with { State = FirewalldRunState.Running, OutsideZone = "public", Ports = [] },
            Docker = facts.Docker with { Ports = facts.Docker.Ports.Select(p => p with { ProxyListening = true, Listener = "[::]:5000 (docker-proxy[77])" }).ToList() },
        };
        var f = DockerHostChecks.Evaluate(facts, [5000]).Where(x => x.Subject.Kind == SubjectKind.Port).ToList();
        Assert.DoesNotContain(f, x => x.Id == FindingIds.FirewalldPortClosed);
        Assert.DoesNotContain(f, x => x.Message.Contains("gateway mode )", StringComparison.Ordinal));
        var only = Assert.Single(f);
        Assert.Equal((FindingIds.PublishedOnIPv6Only, FindingSeverity.Error, "[::]:5000/tcp"), (only.Id, only.Severity, only.Target));
        Assert.Contains("firewalld zone public does not open it", only.Message, StringComparison.Ordinal);
        Assert.Contains(only.Remedy, r => r.Command.StartsWith("Add-FirewalldPort -Port 5000 -Protocol tcp -Zone public", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Generations))]
    public void A_v6_loopback_only_binding_gets_no_published_on_ipv6_only_advice_to_open_firewalld(string generation, string name, string version)
    {
        using var t = Forwarding("1", "1", persisted: true);
        var facts = Facts(t, generation, name, version, containers: V6OnlyDkreg(Containers(version, generation), withIPv6: false, hostIp: "::1"));
        facts = facts with { Firewalld = facts.Firewalld with { State = FirewalldRunState.Running, OutsideZone = "public", Ports = [] } };
        Assert.Equal("::1", Assert.Single(facts.Docker.Ports, p => p.ContainerName == "dkreg").HostIp);
        var f = DockerHostChecks.Evaluate(facts, [5000]);
        Assert.DoesNotContain(f, x => x.Id == FindingIds.PublishedOnIPv6Only);
        Assert.DoesNotContain(f, x => x.Remedy.Any(r => r.Command.StartsWith("Add-FirewalldPort", StringComparison.Ordinal)));
        Assert.DoesNotContain(f, x => x.Id == FindingIds.ContainerNotRunning);
    }

    [Theory]
    [MemberData(nameof(Generations))]
    public void A_v6_only_binding_that_nothing_serves_with_userland_proxy_false_is_an_error_not_served_by_docker_proxy(string generation, string name, string version)
    {
        using var t = Forwarding("1", "1", persisted: true);
        var facts = Facts(t, generation, name, version, containers: V6OnlyDkreg(Containers(version, generation), withIPv6: true));
        facts = facts with { Daemon = DaemonSettingsReader.Parse(["dockerd", "--ip6tables=false", "--userland-proxy=false"], null, null, null) with { ProcessFound = true } };
        Assert.False(facts.Daemon.UserlandProxyOn);
        var only = Assert.Single(DockerHostChecks.Evaluate(facts, [5000]), x => x.Id == FindingIds.PublishedOnIPv6Only);
        Assert.Equal(FindingSeverity.Error, only.Severity);
        Assert.Contains("nothing listens on it", only.Message, StringComparison.Ordinal);
        Assert.Contains("userland-proxy false", only.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("docker-proxy serves it", only.Message, StringComparison.Ordinal);
        Assert.Contains(only.Evidence, e => e.Contains("userland-proxy false", StringComparison.Ordinal));

        // Something of the host listening on [::]:5000: its listener and the zone let it in (Info).
        var listening = facts with { Docker = facts.Docker with { Ports = facts.Docker.Ports.Select(p => p with { Listener = "[::]:5000 (registry[88])" }).ToList() } };
        Assert.Equal(FindingSeverity.Info, Assert.Single(DockerHostChecks.Evaluate(listening, [5000]), x => x.Id == FindingIds.PublishedOnIPv6Only).Severity);
    }

    [Theory]
    [MemberData(nameof(Generations))]
    public void Get_DockerChain_rows_carry_their_family_and_ipv6_rows_come_only_where_docker_keeps_ipv6_rules(string generation, string name, string version)
    {
        var major = VersionNumber.Major(version);
        var snapshot = Snapshot(name);
        Assert.All(snapshot.DockerChains(major), c => Assert.Equal(IpFamily.IPv4, c.Family));
        var v6 = snapshot.DockerChains6WhereUsed(major);
        Assert.NotEmpty(v6);
        Assert.All(v6, c => Assert.Equal(IpFamily.IPv6, c.Family));
        Assert.All(v6.Where(c => c.Expected), c => Assert.True(c.Intact, $"{generation}: {c}"));
        Assert.Contains(v6, c => c.Table == "nat" && c.Chain == "DOCKER" && c.DnatRuleCount > 0);
        Assert.StartsWith("ip6tables Nft ", v6[0].ToString(), StringComparison.Ordinal);
        Assert.Equal("DROP", v6[0].ForwardPolicy); // the ip6tables FORWARD policy, not iptables'

        // An ip6tables without Docker's chains (an engine making no IPv6 rules): no IPv6 row, not a row of missing chains.
        var none = Snapshot(name, text => WithoutInTable(WithoutInTable(text, "nat", l => l.Contains("DOCKER", StringComparison.Ordinal)),
            "filter", l => l.Contains("DOCKER", StringComparison.Ordinal)));
        Assert.Empty(none.DockerChains6WhereUsed(major));
        Assert.NotEmpty(none.DockerChains6(major)); // (the diagnosis' own list still shows them missing)
    }

    [Theory]
    [MemberData(nameof(Generations))]
    public void The_watch_observes_dockers_ip6tables_chains_their_dnat_and_the_ip6tables_forward_policy_and_rates_their_loss(string generation, string name, string version)
    {
        static Dictionary<string, Core.Watch.Observation> Observe(IptablesSnapshot s) =>
            Core.Watch.NetStateWatcher.RuleObservations(s, []).ToDictionary(o => o.What);
        var before = Observe(Snapshot(name));
        Assert.Equal("present", before["ip6tables-nft nat/DOCKER"].Value);
        Assert.Equal(FindingSubject.ForChain(IptablesVariant.Nft, "nat", "DOCKER", IpFamily.IPv6), before["ip6tables-nft nat/DOCKER"].Subject);
        Assert.Equal("present", before["iptables-nft nat/DOCKER"].Value); // IPv4 kept apart
        Assert.StartsWith("[2001:db8:1::", before["DNAT [::]:5000/tcp"].Value, StringComparison.Ordinal);
        Assert.Equal("DROP", before["ip6tables-nft filter/FORWARD policy"].Value);

        // ip6tables nat DOCKER flushed (iptables untouched): the IPv6 chain and its DNAT go, and their loss is an Error.
        var flushed = Observe(Snapshot(name, text => WithoutInTable(text, "nat",
            l => l == ":DOCKER - [0:0]" || l.StartsWith("-A DOCKER ", StringComparison.Ordinal) || l.EndsWith("-j DOCKER", StringComparison.Ordinal))));
        Assert.False(flushed.ContainsKey("ip6tables-nft nat/DOCKER"), $"{generation} (Docker {version})");
        Assert.False(flushed.ContainsKey("DNAT [::]:5000/tcp"));
        Assert.True(flushed.ContainsKey("iptables-nft nat/DOCKER"));
        Assert.Equal(FindingSeverity.Error, ChangeChecks.Severity(before["ip6tables-nft nat/DOCKER"].Subject, null));
        Assert.Equal(FindingSeverity.Error, ChangeChecks.Severity(before["DNAT [::]:5000/tcp"].Subject, null));

        // The ip6tables FORWARD policy turned ACCEPT and back to DROP: Info, then DROP with Docker's ip6tables chains in the
        // same snapshot (Docker 27+ sets DROP when it starts: a docker restart) is Info too; DROP without them a Warning.
        var accept = Observe(Snapshot(name, text => text.Replace(":FORWARD DROP", ":FORWARD ACCEPT", StringComparison.Ordinal)));
        var policy = accept["ip6tables-nft filter/FORWARD policy"];
        Assert.Equal("ACCEPT", policy.Value);
        Assert.Equal(FindingSeverity.Info, ChangeChecks.Severity(policy.Subject, "ACCEPT"));
        Assert.Equal(FindingSeverity.Info, ChangeChecks.Severity(policy.Subject, "DROP", before.Values.Select(o => o.Subject)));
        var noDocker = Observe(Snapshot(name, text => WithoutInTable(WithoutInTable(text, "nat", l => l.Contains("DOCKER", StringComparison.Ordinal)),
            "filter", l => l.Contains("DOCKER", StringComparison.Ordinal))));
        Assert.Equal("DROP", noDocker["ip6tables-nft filter/FORWARD policy"].Value);
        Assert.DoesNotContain(noDocker.Values, o => o.Subject.Kind == SubjectKind.Chain && o.Subject.Family == IpFamily.IPv6);
        Assert.Equal(FindingSeverity.Warning, ChangeChecks.Severity(policy.Subject, "DROP", noDocker.Values.Select(o => o.Subject)));
        Assert.Equal(FindingSeverity.Warning, ChangeChecks.Severity(policy.Subject, "DROP"));

        // Only the IPv6 (ip6tables) policy is rated so: an IPv4 variant subject turning DROP is not.
        Assert.Equal(FindingSeverity.Info, ChangeChecks.Severity(FindingSubject.ForVariant(IptablesVariant.Nft), "DROP"));
    }

    [Fact]
    public void The_facts_of_ipv6_survive_json()
    {
        using var t = Forwarding("1", "0", persisted: false);
        var facts = Facts(t, "docker28", "1.8.11-docker-28.5.2-firewalld-2.5.2-docker28", "28.5.2");
        var back = HostFacts.FromJson(facts.ToJson());
        Assert.Equal(facts.Iptables6.Single().Chains.Count, back.Iptables6.Single().Chains.Count);
        Assert.Equal(facts.Docker.IPv6Networks, back.Docker.IPv6Networks);
        Assert.Equal(NotInfo(facts), NotInfo(back));
        Assert.Contains(back.IpForward, f => f.Key == "net.ipv6.conf.default.forwarding");
    }
}
