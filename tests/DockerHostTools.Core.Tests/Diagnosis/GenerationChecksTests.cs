using DockerHostTools.Core.Diagnosis;
using DockerHostTools.Core.Firewalld;
using DockerHostTools.Core.Iptables;

namespace DockerHostTools.Core.Tests.Diagnosis;

// Fixtures: FactsJson captured on the three lab generations (Fixtures/generations/README.md: bookworm = docker.io 20.10.24
// + firewalld 1.3.3, trixie = 26.1.5 + 2.3.1, docker28 = 28.5.2 + 2.5.2, all with the nftables backend). They were taken
// by the module before firewalld's version, StrictForwardPorts and systemd's InactiveEnterTimestampMonotonic were facts:
// those are set here from what the capture did and the packages it ran (a copy with the property changed, never a text edit).
public class GenerationChecksTests
{
    private static readonly Dictionary<string, string> FirewalldVersion = new() { ["bookworm"] = "1.3.3", ["trixie"] = "2.3.1", ["docker28"] = "2.5.2" };

    private static HostFacts Load(string name)
    {
        var facts = HostFacts.FromJson(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "facts", name + ".json")));
        var generation = name.Split('-')[0];
        return facts with { Firewalld = facts.Firewalld with { Version = FirewalldVersion[generation] } };
    }

    private static IEnumerable<string> Ids(IEnumerable<Finding> f) => f.Select(x => $"{x.Severity} {x.Id} {x.Target}");

    private static List<string> NotInfo(HostFacts facts, params int[] ports) =>
        Ids(DockerHostChecks.Evaluate(facts, ports).Where(f => f.Severity != FindingSeverity.Info)).ToList();

    [Theory]
    [InlineData("bookworm-healthy")]
    [InlineData("trixie-healthy")]
    [InlineData("docker28-healthy")]
    [InlineData("docker28-handler-healthy")]
    public void The_hardened_healthy_host_has_no_error_and_no_warning_on_every_generation(string fixture) =>
        Assert.Empty(NotInfo(Load(fixture), 5000));

    [Theory]
    [InlineData("trixie-firewalld-reload")]
    [InlineData("docker28-handler-firewalld-reload")]
    public void On_firewalld_2_with_nftables_a_firewalld_reload_gives_no_error_and_no_warning(string fixture) =>
        Assert.Empty(NotInfo(Load(fixture), 5000));

    [Theory]
    [InlineData("trixie-firewalld-restart")]
    [InlineData("docker28-handler-firewalld-restart")]
    public void On_firewalld_2_with_nftables_a_firewalld_restart_after_docker_is_info_and_says_why(string fixture)
    {
        var facts = Load(fixture);
        Assert.Empty(NotInfo(facts, 5000));
        var after = DockerHostChecks.Evaluate(facts, [5000]).Single(f => f.Id == FindingIds.FirewalldStartedAfterDocker);
        Assert.Equal(FindingSeverity.Info, after.Severity);
        Assert.Contains("leaves Docker's iptables rules alone", after.Message, StringComparison.Ordinal);
        Assert.False(after.CanRepair); // restarting the engine would only cost downtime
    }

    [Theory]
    [InlineData("trixie-nat-docker-flushed")]
    [InlineData("docker28-handler-nat-docker-flushed")]
    [InlineData("docker28-nat-docker-flushed")]
    public void Where_firewalld_cannot_flush_a_lost_dnat_rule_is_not_blamed_on_firewalld(string fixture)
    {
        // iptables -t nat -F DOCKER on a firewalld 2.x host: the rule is gone, firewalld did not take it.
        var f = DockerHostChecks.Evaluate(Load(fixture), [5000]);
        Assert.Contains(f, x => x.Id == FindingIds.DockerDnatMissing);
        Assert.DoesNotContain(f, x => x.Id is FindingIds.FirewalldStartedAfterDocker or FindingIds.FirewalldStartedWithoutDockerHandler && x.Severity != FindingSeverity.Info);
    }

    [Theory]
    [InlineData("bookworm-firewalld-restart", true)]
    [InlineData("bookworm-firewalld-reload", false)] // a reload is no start: firewalld did not start after dockerd
    public void On_firewalld_1_3_a_restart_or_reload_leaves_the_isolation_jump_dockerd_did_not_put_back_and_a_restart_the_flush_risk(string fixture, bool restart)
    {
        // Docker 20.10's reload handler re-adds its chains and the DNAT rule but not DOCKER-ISOLATION-STAGE-1's jump into
        // STAGE-2 (the capture: STAGE-2 holds only RETURN and nothing jumps into it); the lab shows the same.
        string[] expected = restart
            ? ["Warning DockerChainMissing Nft:filter/DOCKER-ISOLATION-STAGE-2", "Warning FirewalldStartedAfterDocker firewalld.service"]
            : ["Warning DockerChainMissing Nft:filter/DOCKER-ISOLATION-STAGE-2"];
        Assert.Equal(expected, NotInfo(Load(fixture), 5000).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void On_firewalld_1_3_a_firewalld_restart_keeps_the_warning_of_a_flushing_firewalld()
    {
        var f = DockerHostChecks.Evaluate(Load("bookworm-firewalld-restart"), [5000]).Single(x => x.Id == FindingIds.FirewalldStartedAfterDocker);
        Assert.Equal(FindingSeverity.Warning, f.Severity);
        Assert.Contains(f.Evidence, e => e.Contains("flushes every iptables table", StringComparison.Ordinal));
    }

    [Fact]
    public void Docker_28_5_without_an_internal_network_is_not_missing_DOCKER_INTERNAL()
    {
        var facts = Load("docker28-handler-healthy");
        Assert.Contains(facts.Iptables.SelectMany(v => v.Chains), c => c is { Chain: "DOCKER-INTERNAL", Exists: false }); // the old module expected it
        Assert.DoesNotContain(DockerHostChecks.Evaluate(facts, [5000]), f => f.Id == FindingIds.DockerChainMissing);
    }

    [Fact]
    public void A_dockerd_28_that_started_before_firewalld_answered_is_named_and_is_only_info_where_firewalld_cannot_flush()
    {
        // docker28 as booted: firewalld 2.5.2's Type=simple unit let dockerd start first; /info says Driver "iptables".
        var f = DockerHostChecks.Evaluate(Load("docker28-healthy"), [5000]).Single(x => x.Id == FindingIds.FirewalldStartedWithoutDockerHandler);
        Assert.Equal(FindingSeverity.Info, f.Severity);
        Assert.Contains(f.Evidence, e => e.Contains("Driver iptables", StringComparison.Ordinal));
        // The same engine under a firewalld that flushes (the iptables backend): the next reload loses the rules for good.
        var flushing = Load("docker28-healthy");
        flushing = flushing with { Firewalld = flushing.Firewalld with { Backend = "iptables" } };
        var w = DockerHostChecks.Evaluate(flushing, [5000]).Single(x => x.Id == FindingIds.FirewalldStartedWithoutDockerHandler);
        Assert.Equal(FindingSeverity.Warning, w.Severity);
        Assert.True(w.CanRepair);
    }

    [Fact]
    public void The_no_handler_case_on_bookworm_is_an_error_with_the_rules_gone()
    {
        // The capture stopped firewalld, restarted docker, then started firewalld: firewalld went inactive before docker started.
        var facts = Load("bookworm-firewalld-started-after-handlerless-docker");
        var docker = facts.Services.Single(s => s.Name == "docker.service");
        facts = facts with
        {
            Services = facts.Services.Select(s => s.Name == "firewalld.service" ? s with { InactiveEnterMonotonicUs = docker.ActiveEnterMonotonicUs - 1_000_000 } : s).ToList(),
        };
        var f = DockerHostChecks.Evaluate(facts, [5000]);
        Assert.Contains("Error FirewalldStartedWithoutDockerHandler firewalld.service", Ids(f));
        Assert.DoesNotContain(f, x => x.Id == FindingIds.FirewalldStartedAfterDocker); // the more precise cause, said once
        // A firewalld restart after docker (it went down after docker started) is not the no-handler case.
        var restarted = facts with
        {
            Services = facts.Services.Select(s => s.Name == "firewalld.service" ? s with { InactiveEnterMonotonicUs = docker.ActiveEnterMonotonicUs + 1_000_000 } : s).ToList(),
        };
        Assert.DoesNotContain(DockerHostChecks.Evaluate(restarted, [5000]), x => x.Id == FindingIds.FirewalldStartedWithoutDockerHandler);
    }

    [Fact]
    public void StrictForwardPorts_yes_is_an_error_for_each_published_port_without_a_forward_port()
    {
        var facts = Load("trixie-strict-forward-ports");
        facts = facts with { Firewalld = facts.Firewalld with { StrictForwardPorts = true } };
        var f = DockerHostChecks.Evaluate(facts, [5000]).Single(x => x.Id == FindingIds.FirewalldStrictForwardPorts);
        Assert.Equal(FindingSeverity.Error, f.Severity);
        Assert.Contains(f.Remedy, r => r.Command.Contains("--add-forward-port=port=5000:proto=tcp", StringComparison.Ordinal));
        Assert.Contains(f.Remedy, r => r.Command.Contains("StrictForwardPorts=no", StringComparison.Ordinal));
        var forwarded = facts with { Firewalld = facts.Firewalld with { ForwardPorts = ["port=5000:proto=tcp:toport=5000:toaddr=192.0.2.2"] } };
        Assert.DoesNotContain(DockerHostChecks.Evaluate(forwarded, [5000]), x => x.Id == FindingIds.FirewalldStrictForwardPorts);
    }

    [Theory]
    [InlineData("1.3.3", "nftables", 0, true)]
    [InlineData("0.9.3", "iptables", 0, true)]
    [InlineData("2.3.1", "nftables", 0, false)]
    [InlineData("2.5.2", "nftables", 2, true)]
    [InlineData("2.3.1", "iptables", 0, true)]
    [InlineData(null, "nftables", 0, null)]
    public void Whether_firewalld_flushes_Dockers_rules_follows_version_backend_and_direct_rules(string? version, string backend, int direct, bool? flushes) =>
        Assert.Equal(flushes, FirewalldFlushing.FlushesIptables(version, backend, direct));

    [Fact]
    public void Docker_29_has_no_isolation_chains_and_always_DOCKER_INTERNAL_as_moby_documents()
    {
        // moby's generated iptables rule documents (integration/network/bridge/iptablesdoc) for 29: no DOCKER-ISOLATION-*.
        var names = DockerChainCatalog.ExpectedFor(29, _ => false).Select(c => c.Name).ToList();
        Assert.Contains("filter/DOCKER-INTERNAL", names);
        Assert.DoesNotContain(names, n => n.Contains("ISOLATION", StringComparison.Ordinal));
        var v28 = DockerChainCatalog.ExpectedFor(28, _ => false).Select(c => c.Name).ToList();
        Assert.DoesNotContain("filter/DOCKER-INTERNAL", v28);
        Assert.Contains("filter/DOCKER-ISOLATION-STAGE-2", v28);
        Assert.Contains("filter/DOCKER-INTERNAL", DockerChainCatalog.ExpectedFor(28, c => c.Chain == "DOCKER-INTERNAL").Select(c => c.Name));
        Assert.DoesNotContain(DockerChainCatalog.ExpectedFor(26, _ => true), c => c.Chain == "DOCKER-FORWARD");
    }
}
