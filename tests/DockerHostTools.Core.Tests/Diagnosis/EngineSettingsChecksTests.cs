using System.Text.Json;
using DockerHostTools.Core.Diagnosis;
using DockerHostTools.Core.Docker;
using DockerHostTools.Core.Iptables;

namespace DockerHostTools.Core.Tests.Diagnosis;

// Issue 12: the checks follow the daemon's real settings, its nftables backend, swarm ingress and where the engine runs.
// Captured facts (Fixtures/facts, real lab hosts) with the daemon's settings set by "facts with { ... }"; the nftables
// backend and swarm on the named fixtures of Fixtures/nft-docker29 and Fixtures/swarm (hand-typed from moby's documents,
// the nft JSON printed by the real nft 1.0.6).
public class EngineSettingsChecksTests
{
    private static HostFacts Load(string name) =>
        HostFacts.FromJson(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "facts", name + ".json")));

    private static IEnumerable<string> Ids(IReadOnlyList<Finding> f) => f.Select(x => $"{x.Severity} {x.Id} {x.Target}");

    private static DaemonSettingsFact Settings(string json) =>
        DaemonSettingsReader.Parse(["/usr/sbin/dockerd", "-H", "fd://"], DaemonSettingsReader.DefaultConfigFile, json, null) with { ProcessFound = true };

    [Fact]
    public void Default_settings_change_no_verdict_of_the_captured_hosts()
    {
        foreach (var name in new[] { "docker28-healthy", "03-dnat-deleted", "02-ip-forward-off", "trixie-nat-docker-flushed", "bookworm-firewalld-restart" })
        {
            var facts = Load(name);
            var before = Ids(DockerHostChecks.Evaluate(facts)).ToList();
            var after = Ids(DockerHostChecks.Evaluate(facts with { Daemon = Settings("{}") })).ToList();
            Assert.Equal(before, after);
        }
    }

    [Fact]
    public void Iptables_false_gives_no_chain_or_dnat_finding_but_one_info_saying_docker_does_not_manage_the_firewall()
    {
        var facts = Load("docker28-nat-docker-flushed");
        Assert.Contains(DockerHostChecks.Evaluate(facts), f => f.Id == FindingIds.DockerDnatMissing); // the default engine: the lost rule is found
        var f = DockerHostChecks.Evaluate(facts with { Daemon = Settings("{\"iptables\": false}") });
        Assert.DoesNotContain(f, x => x.Id is FindingIds.DockerChainMissing or FindingIds.DockerDnatMissing or FindingIds.ForwardPolicyDrop or FindingIds.DockerUserDrop
            or FindingIds.FirewalldStartedAfterDocker or FindingIds.FirewalldStartedWithoutDockerHandler);
        var info = Assert.Single(f, x => x.Id == FindingIds.DockerFirewallUnmanaged);
        Assert.Equal(FindingSeverity.Info, info.Severity);
        Assert.Contains("does not manage the firewall", info.Message, StringComparison.Ordinal);
        Assert.Contains(info.Evidence, e => e == "/etc/docker/daemon.json: \"iptables\": false");
        // A closed port is then an Error: the traffic reaches docker-proxy through INPUT, which firewalld filters.
        var closed = DockerHostChecks.Evaluate(Load("03-dnat-deleted") with { Daemon = Settings("{\"iptables\": false}") }).Single(x => x.Id == FindingIds.FirewalldPortClosed);
        Assert.Equal(FindingSeverity.Error, closed.Severity);
        Assert.Contains("Docker makes no DNAT rule for it (iptables: false)", closed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ip_forward_false_says_the_engine_did_not_enable_forwarding()
    {
        var facts = Load("02-ip-forward-off");
        var plain = DockerHostChecks.Evaluate(facts).First(x => x.Id == FindingIds.IpForwardDisabled);
        Assert.DoesNotContain("ip-forward: false", plain.Message, StringComparison.Ordinal);
        var off = DockerHostChecks.Evaluate(facts with { Daemon = DaemonSettingsReader.Parse(["dockerd", "--ip-forward=false"], null, null, null) })
            .First(x => x.Id == FindingIds.IpForwardDisabled);
        Assert.Equal(FindingSeverity.Error, off.Severity);
        Assert.Contains("ip-forward: false, so the engine did not switch forwarding on", off.Message, StringComparison.Ordinal);
        Assert.Contains("dockerd command line: --ip-forward=false", off.Evidence);
        Assert.True(off.CanRepair);
    }

    [Fact]
    public void Userland_proxy_false_makes_a_lost_dnat_rule_an_error_even_where_a_listener_would_hide_it()
    {
        // 03-dnat-deleted with docker-proxy answering and the port open: the default engine calls it a Warning (hidden).
        var facts = Load("03-dnat-deleted");
        facts = facts with
        {
            Docker = facts.Docker with { Ports = facts.Docker.Ports.Select(p => p with { ProxyListening = true }).ToList() },
            Firewalld = facts.Firewalld with { Ports = facts.Firewalld.Ports.Select(p => p with { RuntimeOpenBy = "port", PermanentOpenBy = "port" }).ToList() },
        };
        Assert.Equal(FindingSeverity.Warning, DockerHostChecks.Evaluate(facts).Single(x => x.Id == FindingIds.DockerDnatMissing).Severity);
        var noProxy = DockerHostChecks.Evaluate(facts with { Daemon = Settings("{\"userland-proxy\": false}") }).Single(x => x.Id == FindingIds.DockerDnatMissing);
        Assert.Equal(FindingSeverity.Error, noProxy.Severity);
        Assert.Contains(noProxy.Evidence, e => e.Contains("userland-proxy false", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("routed", FindingSeverity.Info)]
    [InlineData("isolated", FindingSeverity.Warning)]
    public void A_routed_or_isolated_network_expects_no_dnat_rule(string mode, FindingSeverity severity)
    {
        var facts = Load("03-dnat-deleted");
        facts = facts with { Docker = facts.Docker with { Ports = facts.Docker.Ports.Select(p => p with { Network = "bridge", GatewayMode = mode }).ToList() } };
        var f = DockerHostChecks.Evaluate(facts);
        Assert.DoesNotContain(f, x => x.Id == FindingIds.DockerDnatMissing);
        var gm = Assert.Single(f, x => x.Id == FindingIds.DockerGatewayMode);
        Assert.Equal(severity, gm.Severity);
        Assert.Contains(mode, gm.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nat_unprotected_expects_no_per_port_accept_rule()
    {
        var facts = Load("docker28-healthy");
        facts = facts with { Docker = facts.Docker with { Ports = facts.Docker.Ports.Select(p => p with { ForwardAccepted = false }).ToList() } };
        Assert.Contains(DockerHostChecks.Evaluate(facts), x => x.Id == FindingIds.ForwardPolicyDrop);
        facts = facts with { Docker = facts.Docker with { Ports = facts.Docker.Ports.Select(p => p with { GatewayMode = "nat-unprotected", Network = "bridge" }).ToList() } };
        var f = DockerHostChecks.Evaluate(facts);
        Assert.DoesNotContain(f, x => x.Id == FindingIds.ForwardPolicyDrop);
        Assert.Contains(f, x => x.Id == FindingIds.DockerGatewayMode && x.Severity == FindingSeverity.Info);
    }

    // ---- Docker 29's nftables backend, on the named fixtures ----

    // ip6Save: the container also has moby's IPv6 address fd49:efd7:54aa::1 and publishes 8080 on [::] too, its rules in
    // the ip6 docker-bridges table of moby's nftabler golden (Fixtures/nft-docker29/README.md), ip6tables-nft-save beside.
    private static HostReading Nft29(string table, string iptablesSave, string? backendInInfo = "nftables", string? ip6Save = null, Func<string, string>? ip6Table = null, bool ip6Missing = false)
    {
        DockerPortBinding[] bindings = ip6Save is null
            ? [new DockerPortBinding("0.0.0.0", 8080, 80, "tcp")]
            : [new DockerPortBinding("0.0.0.0", 8080, 80, "tcp"), new DockerPortBinding("::", 8080, 80, "tcp")];
        var containers = new List<DockerContainer>
        {
            new("c1id", "c1", "busybox", "running", "Up 1 minute", bindings, new Dictionary<string, string> { ["bridge1"] = "192.0.2.2" })
            {
                Networks6 = ip6Save is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["bridge1"] = "fd49:efd7:54aa::1" },
            },
        };
        var save = new IptablesSave("iptables-nft-save", IptablesVariant.Nft, IptablesSaveParser.Parse(Fixture.Read("nft-docker29", iptablesSave), IptablesVariant.Nft), false);
        IptablesSave[] saves6 = ip6Save is null ? []
            : [new IptablesSave("ip6tables-nft-save", IptablesVariant.Nft, IptablesSaveParser.Parse(Fixture.Read("nft-docker29", ip6Save), IptablesVariant.Nft), false)];
        var ipt = new IptablesSnapshot([save], IptablesVariant.Nft, ["ip docker-bridges"]) { Saves6 = saves6 };
        var tables = new List<NftDockerTable>
        {
            table == "missing" ? NftDockerTable.Missing("ip") : NftablesDocker.Parse(Fixture.Read("nft-docker29", table), "ip"),
            ip6Save is null || ip6Missing ? NftDockerTable.Missing("ip6")
                : NftablesDocker.Parse((ip6Table ?? (t => t))(Fixture.Read("nft-docker29", "nft-j-list-table-ip6-docker-bridges-1.0.6-moby-nftabler-gwm-nat.json")), "ip6"),
        };
        var ports = DockerPublishedPorts.WithNftables(DockerPublishedPorts.Build(containers, ipt, []), containers, tables);
        using var nets = JsonDocument.Parse("""[{"Name":"bridge1","Id":"0123456789abcdef","Driver":"bridge","Options":{"com.docker.network.bridge.name":"bridge1"}}]""");
        return new HostReading
        {
            Taken = DateTimeOffset.UnixEpoch,
            HostName = "nb29",
            Iptables = ipt,
            Containers = containers,
            EngineVersion = new DockerEngineVersion("29.0.0", "1.52", "1.24", "linux", "6.1.0"),
            EngineInfo = new DockerEngineInfo("29.0.0", true, "/var/lib/docker", 1, backendInInfo, null, null, []),
            PublishedPorts = ports,
            DockerNftables = tables,
            Networks = DockerEngineExtras.ParseNetworks(nets.RootElement),
            Daemon = DaemonSettingsReader.Parse(["dockerd"], DaemonSettingsReader.DefaultConfigFile, "{\"firewall-backend\": \"nftables\"}", null),
        };
    }

    [Fact]
    public void A_healthy_docker29_nftables_host_has_no_error_and_no_warning_and_no_iptables_chain_finding()
    {
        var facts = HostFactsBuilder.Build(Nft29("nft-j-list-table-ip-docker-bridges-1.0.6-moby-usernet-portmap.json", "iptables-nft-save-1.8.9-forward-accept.txt"));
        var port = Assert.Single(facts.Docker.Ports);
        Assert.True(port.DnatRulePresent);
        Assert.True(port.ForwardAccepted);
        Assert.Equal("nft ip docker-bridges", port.RuleSource);
        Assert.Null(port.IptablesForwardAccepts);
        var f = DockerHostChecks.Evaluate(facts);
        Assert.DoesNotContain(f, x => x.Severity != FindingSeverity.Info && x.Subject.Kind != SubjectKind.Forwarding);
        Assert.DoesNotContain(f, x => x.Id is FindingIds.DockerChainMissing or FindingIds.DockerRulesInOtherVariant);
        // The same host with only daemon.json saying nftables (an engine before /info's FirewallBackend) is judged the same.
        Assert.Equal(Ids(f), Ids(DockerHostChecks.Evaluate(HostFactsBuilder.Build(Nft29("nft-j-list-table-ip-docker-bridges-1.0.6-moby-usernet-portmap.json",
            "iptables-nft-save-1.8.9-forward-accept.txt", backendInInfo: null)))));
    }

    [Fact]
    public void A_docker29_nftables_dnat_rule_gone_is_an_error_naming_the_nftables_chain()
    {
        var f = DockerHostChecks.Evaluate(HostFactsBuilder.Build(Nft29("nft-j-list-table-ip-docker-bridges-1.0.6-moby-usernet-portmap-dnat-deleted.json", "iptables-nft-save-1.8.9-forward-accept.txt")));
        var dnat = Assert.Single(f, x => x.Id == FindingIds.DockerDnatMissing);
        Assert.Equal(FindingSeverity.Error, dnat.Severity);
        Assert.Equal("8080/tcp", dnat.Target);
        Assert.Contains(dnat.Evidence, e => e.StartsWith("nft ip docker-bridges nat-prerouting-and-output: no DNAT", StringComparison.Ordinal));
        Assert.DoesNotContain(f, x => x.Id == FindingIds.DockerChainMissing);
    }

    [Fact]
    public void An_iptables_forward_drop_policy_drops_what_nftables_accepted()
    {
        var facts = HostFactsBuilder.Build(Nft29("nft-j-list-table-ip-docker-bridges-1.0.6-moby-usernet-portmap.json", "iptables-nft-save-1.8.9-forward-drop.txt"));
        Assert.False(Assert.Single(facts.Docker.Ports).IptablesForwardAccepts);
        var f = DockerHostChecks.Evaluate(facts);
        var drop = Assert.Single(f, x => x.Id == FindingIds.NftablesForwardDroppedByIptables);
        Assert.Equal(FindingSeverity.Error, drop.Severity);
        Assert.Contains("iptables-Nft: :FORWARD DROP", drop.Evidence);
        Assert.DoesNotContain(f, x => x.Id == FindingIds.ForwardPolicyDrop); // nftables itself accepts it
    }

    [Fact]
    public void An_ipv6_port_under_the_nftables_backend_is_judged_by_the_ip6tables_forward_policy_not_the_iptables_one()
    {
        const string Table = "nft-j-list-table-ip-docker-bridges-1.0.6-moby-usernet-portmap.json";
        // IPv4 FORWARD DROP, IPv6 FORWARD ACCEPT: only the IPv4 binding is dropped by iptables.
        var v4Drop = HostFactsBuilder.Build(Nft29(Table, "iptables-nft-save-1.8.9-forward-drop.txt", ip6Save: "ip6tables-nft-save-1.8.9-forward-accept.txt"));
        var v6 = Assert.Single(v4Drop.Docker.Ports, p => p.Family == Core.Sysctl.IpFamily.IPv6);
        Assert.True(v6.DnatRulePresent);
        Assert.Equal("nft ip6 docker-bridges", v6.RuleSource);
        Assert.Null(v6.IptablesForwardAccepts); // ip6tables' FORWARD policy is ACCEPT
        Assert.False(Assert.Single(v4Drop.Docker.Ports, p => p.Family == Core.Sysctl.IpFamily.IPv4).IptablesForwardAccepts);
        var drop4 = Assert.Single(DockerHostChecks.Evaluate(v4Drop), x => x.Id == FindingIds.NftablesForwardDroppedByIptables);
        Assert.Equal("8080/tcp", drop4.Target);
        Assert.Contains("iptables-Nft: :FORWARD DROP", drop4.Evidence);

        // IPv4 FORWARD ACCEPT, IPv6 FORWARD DROP: the IPv6 binding is dropped by ip6tables, and the finding says so.
        var v6Drop = HostFactsBuilder.Build(Nft29(Table, "iptables-nft-save-1.8.9-forward-accept.txt", ip6Save: "ip6tables-nft-save-1.8.9-forward-drop.txt"));
        Assert.False(Assert.Single(v6Drop.Docker.Ports, p => p.Family == Core.Sysctl.IpFamily.IPv6).IptablesForwardAccepts);
        Assert.Null(Assert.Single(v6Drop.Docker.Ports, p => p.Family == Core.Sysctl.IpFamily.IPv4).IptablesForwardAccepts);
        var drop6 = Assert.Single(DockerHostChecks.Evaluate(v6Drop), x => x.Id == FindingIds.NftablesForwardDroppedByIptables);
        Assert.Equal(FindingSeverity.Error, drop6.Severity);
        Assert.Equal(FindingSubject.ForPort(8080, "tcp", Core.Sysctl.IpFamily.IPv6), drop6.Subject);
        Assert.Contains("ip6tables-Nft: :FORWARD DROP", drop6.Evidence);
        Assert.Contains("the ip6tables filter FORWARD policy is DROP", drop6.Message, StringComparison.Ordinal);
        Assert.Contains("[fd49:efd7:54aa::1]:80", drop6.Message, StringComparison.Ordinal);
        Assert.StartsWith("ip6tables -I FORWARD -d fd49:efd7:54aa::1 -p tcp --dport 80 -j ACCEPT", drop6.Remedy[0].ToString(), StringComparison.Ordinal);
    }

    // The real nft JSON of moby's ip6 table with the rules whose expression holds the given text taken out (a fault made by the test).
    private static string WithoutRule(string json, string text)
    {
        var doc = System.Text.Json.Nodes.JsonNode.Parse(json)!;
        var items = doc["nftables"]!.AsArray();
        foreach (var rule in items.Where(i => i?["rule"] is { } r && r.ToJsonString().Contains(text, StringComparison.Ordinal)).ToList())
        {
            items.Remove(rule);
        }

        return doc.ToJsonString();
    }

    [Fact]
    public void Ipv6_bindings_under_the_nftables_backend_are_judged_on_ip6_docker_bridges()
    {
        const string Table = "nft-j-list-table-ip-docker-bridges-1.0.6-moby-usernet-portmap.json";
        var healthy = HostFactsBuilder.Build(Nft29(Table, "iptables-nft-save-1.8.9-forward-accept.txt", ip6Save: "ip6tables-nft-save-1.8.9-forward-accept.txt"));
        Assert.True(DockerHostChecks.IPv6Use(healthy));
        var v6 = Assert.Single(healthy.Docker.Ports, p => p.Family == Core.Sysctl.IpFamily.IPv6);
        Assert.True(v6.DnatRulePresent && v6.ForwardAccepted);
        Assert.DoesNotContain(DockerHostChecks.Evaluate(healthy), x => x.Subject.Kind == SubjectKind.Port && x.Severity != FindingSeverity.Info);

        // The ip6 table's DNAT rule gone: an Error on the IPv6 binding only, naming the ip6 table.
        var dnatGone = DockerHostChecks.Evaluate(HostFactsBuilder.Build(Nft29(Table, "iptables-nft-save-1.8.9-forward-accept.txt",
            ip6Save: "ip6tables-nft-save-1.8.9-forward-accept.txt", ip6Table: j => WithoutRule(j, "\"dnat\""))));
        var dnat = Assert.Single(dnatGone, x => x.Id == FindingIds.DockerDnatMissing);
        Assert.Equal((FindingSeverity.Error, "[::]:8080/tcp"), (dnat.Severity, dnat.Target));
        Assert.Contains(dnat.Evidence, e => e.StartsWith("nft ip6 docker-bridges nat-prerouting-and-output: no DNAT for [::]:8080/tcp", StringComparison.Ordinal));

        // Its per-port accept gone: the 'UNPUBLISHED PORT DROP' rule drops it, ForwardPolicyDrop on the IPv6 binding.
        var acceptGone = DockerHostChecks.Evaluate(HostFactsBuilder.Build(Nft29(Table, "iptables-nft-save-1.8.9-forward-accept.txt",
            ip6Save: "ip6tables-nft-save-1.8.9-forward-accept.txt", ip6Table: j => WithoutRule(j, "\"dport\"}},\"right\":80}"))));
        var drop = Assert.Single(acceptGone, x => x.Id == FindingIds.ForwardPolicyDrop);
        Assert.Equal("[::]:8080/tcp", drop.Target);
        Assert.Contains("[fd49:efd7:54aa::1]:80/tcp", drop.Message, StringComparison.Ordinal);
        Assert.StartsWith("nft ip6 docker-bridges:", drop.Evidence[0], StringComparison.Ordinal);
    }

    [Fact]
    public void The_docker_bridges_table_flushed_away_is_one_error_with_a_restart()
    {
        var f = DockerHostChecks.Evaluate(HostFactsBuilder.Build(Nft29("missing", "iptables-nft-save-1.8.9-forward-accept.txt")));
        var missing = Assert.Single(f, x => x.Id == FindingIds.DockerNftablesMissing);
        Assert.Equal(FindingSeverity.Error, missing.Severity);
        Assert.True(missing.CanRepair);
        Assert.DoesNotContain(f, x => x.Id is FindingIds.DockerDnatMissing or FindingIds.DockerChainMissing);
    }

    [Fact]
    public void The_ip6_docker_bridges_table_flushed_away_where_ipv6_is_in_play_is_docker_nftables_missing_naming_ip6()
    {
        const string Table = "nft-j-list-table-ip-docker-bridges-1.0.6-moby-usernet-portmap.json";
        var facts = HostFactsBuilder.Build(Nft29(Table, "iptables-nft-save-1.8.9-forward-accept.txt", ip6Save: "ip6tables-nft-save-1.8.9-forward-accept.txt", ip6Missing: true));
        Assert.True(DockerHostChecks.IPv6Use(facts));
        var f = DockerHostChecks.Evaluate(facts);
        var missing = Assert.Single(f, x => x.Id == FindingIds.DockerNftablesMissing);
        Assert.Equal((FindingSeverity.Error, "docker engine ip6"), (missing.Severity, missing.Target));
        Assert.Equal(FindingSubject.ForEngine(Core.Sysctl.IpFamily.IPv6), missing.Subject);
        Assert.NotEqual(FindingSubject.ForEngine(), missing.Subject);
        Assert.Contains("ip6 docker-bridges", missing.Message, StringComparison.Ordinal);
        Assert.True(missing.CanRepair);

        // Without IPv6 in play (no container with an IPv6 address) the ip6 table's absence says nothing.
        Assert.DoesNotContain(DockerHostChecks.Evaluate(HostFactsBuilder.Build(Nft29(Table, "iptables-nft-save-1.8.9-forward-accept.txt"))),
            x => x.Id == FindingIds.DockerNftablesMissing);
    }

    // ---- swarm ingress, on the named fixtures ----

    private static HostFacts Swarm(string save)
    {
        var ruleset = IptablesSaveParser.Parse(Fixture.Read("swarm", save), IptablesVariant.Nft);
        var ipt = new IptablesSnapshot([new IptablesSave("iptables-nft-save", IptablesVariant.Nft, ruleset, false)], IptablesVariant.Nft);
        using var doc = JsonDocument.Parse(Fixture.Read("swarm", "services-api-shape.json"));
        var services = DockerEngineExtras.ParseServices(doc.RootElement);
        var ports = DockerPublishedPorts.BuildServices(services, ipt, []);
        return HostFactsBuilder.Build(new HostReading
        {
            Iptables = ipt, Containers = [], PublishedPorts = ports, Chains = ipt.DockerChains(28),
            EngineVersion = new DockerEngineVersion("28.5.2", "1.51", "1.24", "linux", "6.1.0"),
            EngineInfo = new DockerEngineInfo("28.5.2", true, "/var/lib/docker", 1, "iptables", null, null, []) { SwarmNodeState = "active" },
        });
    }

    [Fact]
    public void Swarm_ingress_ports_are_published_ports_and_their_lost_dnat_is_found()
    {
        var healthy = Swarm("iptables-save-moby-swarm-portmap.txt");
        Assert.True(healthy.Docker.SwarmActive);
        var port = Assert.Single(healthy.Docker.Ports); // the host-mode port has no ingress rules and is not listed
        Assert.Equal(("web", 8080, "172.18.0.2", 80), (port.ServiceName, port.Port, port.ContainerIp, port.ContainerPort));
        Assert.True(port.DnatRulePresent && port.ForwardAccepted);
        Assert.DoesNotContain(DockerHostChecks.Evaluate(healthy), x => x.Subject.Kind == SubjectKind.Port);

        var lost = DockerHostChecks.Evaluate(Swarm("iptables-save-moby-swarm-portmap-dnat-deleted.txt"));
        var dnat = Assert.Single(lost, x => x.Id == FindingIds.DockerDnatMissing);
        Assert.Equal((FindingSeverity.Error, "8080/tcp"), (dnat.Severity, dnat.Target));
        Assert.Contains(dnat.Evidence, e => e.StartsWith("iptables nat/DOCKER-INGRESS: no DNAT for 8080/tcp (swarm service web)", StringComparison.Ordinal));
    }

    // ---- engines where the host's checks do not apply ----

    [Fact]
    public void Docker_desktop_gives_one_finding_instead_of_judging_the_host()
    {
        var facts = Load("03-dnat-deleted") with
        {
            Engine = new EngineEndpointFact { Location = EngineLocation.DockerDesktop, Socket = "/run/docker.sock", Evidence = ["Engine /info: OperatingSystem Docker Desktop"] },
        };
        var f = DockerHostChecks.Evaluate(facts);
        var one = Assert.Single(f);
        Assert.Equal((FindingIds.EngineNotOnThisHost, FindingSeverity.Warning, "docker engine"), (one.Id, one.Severity, one.Target));
        Assert.Contains("Docker Desktop", one.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_rootless_engine_is_named_and_only_its_listener_and_the_input_filter_are_judged()
    {
        var facts = Load("01-port-closed-not-persisted");
        var rootless = facts with
        {
            Engine = new EngineEndpointFact { Location = EngineLocation.Rootless, Socket = "/run/user/1001/docker.sock", RootlessPortDriver = "builtin", Evidence = ["Engine /info: SecurityOptions name=rootless"] },
            Docker = facts.Docker with { Ports = facts.Docker.Ports.Select(p => p with { DnatRulePresent = false, Listener = "0.0.0.0:5000 (rootlesskit[4242])" }).ToList() },
        };
        var ids = Ids(DockerHostChecks.Evaluate(rootless)).ToList();
        Assert.Equal(["Error FirewalldPortClosed 5000/tcp", "Warning RootlessEngine docker engine"], ids);
        var noListener = rootless with { Docker = rootless.Docker with { Ports = rootless.Docker.Ports.Select(p => p with { Listener = null }).ToList() } };
        Assert.Contains("Error RootlessPortNotListening 5000/tcp", Ids(DockerHostChecks.Evaluate(noListener)));
    }

    [Fact]
    public void A_rootless_engines_port_held_by_rootlesskit_is_its_listener()
    {
        var containers = new List<DockerContainer>
        {
            new("c1id", "c1", "registry", "running", "Up", [new DockerPortBinding("0.0.0.0", 8081, 5000, "tcp")], new Dictionary<string, string> { ["bridge"] = "203.0.113.2" }),
        };
        var ipt = new IptablesSnapshot([], IptablesVariant.Nft);
        var held = DockerPublishedPorts.Build(containers, ipt, [new ListeningSocket("tcp", "0.0.0.0", 8081, 4242, 777, "rootlesskit")]);
        Assert.Equal("0.0.0.0:8081 (rootlesskit[777])", Assert.Single(held).Listener);
        Assert.Null(Assert.Single(DockerPublishedPorts.Build(containers, ipt, [new ListeningSocket("tcp", "0.0.0.0", 8081, 4242, 778, "nginx")])).Listener);
        Assert.Null(Assert.Single(DockerPublishedPorts.Build(containers, ipt, [])).Listener);
    }

    [Fact]
    public void A_rootless_engines_ipv6_port_held_by_its_port_driver_is_its_listener_and_judged_under_its_ipv6_subject()
    {
        var containers = new List<DockerContainer>
        {
            new("c1id", "c1", "registry", "running", "Up", [new DockerPortBinding("0.0.0.0", 8081, 5000, "tcp"), new DockerPortBinding("::", 8081, 5000, "tcp")],
                new Dictionary<string, string> { ["bridge"] = "203.0.113.2" }) { Networks6 = new Dictionary<string, string> { ["bridge"] = "2001:db8:1::2" } },
        };
        var ipt = new IptablesSnapshot([], IptablesVariant.Nft);
        ListeningSocket[] held = [new("tcp", "0.0.0.0", 8081, 4242, 777, "rootlesskit"), new("tcp", "::", 8081, 4243, 777, "rootlesskit")];
        var ports = DockerPublishedPorts.Build(containers, ipt, held);
        Assert.Equal(2, ports.Count);
        Assert.Contains("(rootlesskit[777])", Assert.Single(ports, p => p.Family == Core.Sysctl.IpFamily.IPv6).Listener, StringComparison.Ordinal);

        // pasta (rootlesskit's implicit port driver) binds the port itself.
        foreach (var pasta in new[] { "pasta", "pasta.avx2" })
        {
            Assert.All(DockerPublishedPorts.Build(containers, ipt, [new("tcp", "0.0.0.0", 8081, 4242, 900, pasta), new("tcp", "::", 8081, 4243, 900, pasta)]),
                p => Assert.Contains($"({pasta}[900])", p.Listener, StringComparison.Ordinal));
        }

        // Judged as a rootless engine's ports: no RootlessPortNotListening for the held [::] port, and a closed zone said once per family's subject.
        var facts = Load("01-port-closed-not-persisted");
        var rootless = facts with
        {
            Engine = new EngineEndpointFact { Location = EngineLocation.Rootless, Socket = "/run/user/1001/docker.sock", RootlessPortDriver = "builtin", Evidence = ["Engine /info: SecurityOptions name=rootless"] },
            Docker = facts.Docker with { Ports = HostFactsBuilder.Build(new HostReading { Containers = containers, PublishedPorts = ports }).Docker.Ports },
        };
        var f = DockerHostChecks.Evaluate(rootless, [8081]);
        Assert.DoesNotContain(f, x => x.Id == FindingIds.RootlessPortNotListening);
        var subjects = f.Where(x => x.Subject.Kind == SubjectKind.Port).Select(x => (x.Id, x.Subject)).ToList();
        Assert.Equal(subjects.Count, subjects.Distinct().Count());
        Assert.Contains(f, x => x.Id == FindingIds.FirewalldPortClosed && x.Target == "[::]:8081/tcp");
    }

    [Fact]
    public void New_facts_survive_json()
    {
        var facts = HostFactsBuilder.Build(Nft29("nft-j-list-table-ip-docker-bridges-1.0.6-moby-usernet-portmap.json", "iptables-nft-save-1.8.9-forward-drop.txt"));
        var back = HostFacts.FromJson(facts.ToJson());
        Assert.Equal(Ids(DockerHostChecks.Evaluate(facts)), Ids(DockerHostChecks.Evaluate(back)));
        Assert.Equal("nftables", back.Daemon.FirewallBackend);
        Assert.Equal(["nat-prerouting-and-output"], back.DockerNftables![0].DnatRules.Select(_ => "nat-prerouting-and-output"));
        var old = HostFacts.FromJson("""{"HostName":"x","Daemon":null,"Engine":null,"DockerNftables":[null]}""");
        Assert.True(old.Daemon.IptablesOn);
        Assert.Equal(EngineLocation.Local, old.Engine.Location);
        Assert.Empty(old.DockerNftables!);
    }
}
