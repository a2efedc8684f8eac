using DockerHostTools.Core.Diagnosis;
using DockerHostTools.Core.Firewalld;
using DockerHostTools.Core.Repair;
using DockerHostTools.Core.Tests.Firewalld;
using Xunit;

namespace DockerHostTools.Core.Tests.Diagnosis;

// Docker's own firewalld objects on the facts captured on the lab generations (Fixtures/facts, taken before the zone and
// the policies were facts): the docker zone and the policies are set from firewall-cmd's captures of the same hosts
// (Fixtures/firewall-cmd/*-info-zone-docker, *-info-policy-docker-forwarding), the bridges from the machines (docker0).
// A fault is a copy with one property changed.
public class DockerFirewalldObjectsTests
{
    private static readonly Dictionary<string, (string Firewalld, string Capture)> Generations = new()
    {
        ["bookworm"] = ("1.3.3", "1.3.3-bookworm-healthy"),
        ["trixie"] = ("2.3.1", "2.3.1-trixie-healthy"),
        ["docker28"] = ("2.5.2", "2.5.2-docker28-handler-healthy"),
    };

    private static HostFacts Load(string fixture)
    {
        var facts = HostFacts.FromJson(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "facts", fixture + ".json")));
        var (version, capture) = Generations[fixture.Split('-')[0]];
        var zone = FirewallCmdParser.ParseZones(Fx.Out(capture + "-info-zone-docker"), FirewalldConfiguration.Runtime).Single();
        var policies = Fx.Exit(capture + "-info-policy-docker-forwarding") == 0
            ? FirewalldPolicies.ParseListing(Fx.Out(capture + "-info-policy-docker-forwarding")) : [];
        return facts with
        {
            Firewalld = facts.Firewalld with
            {
                Version = version,
                RuntimeZones = ["block", "dmz", "docker", "drop", "external", "home", "internal", "public", "trusted", "work"],
                DockerZone = new FirewalldDockerZoneFact { Target = zone.Target, Interfaces = zone.Interfaces },
                Policies = policies.Select(p => new FirewalldPolicyFact { Name = p.Name, Target = p.Target, IngressZones = p.IngressZones, EgressZones = p.EgressZones }).ToList(),
            },
            Docker = facts.Docker with { Bridges = ["docker0"] },
        };
    }

    private static List<Finding> Objects(HostFacts facts) =>
        DockerHostChecks.Evaluate(facts, [5000]).Where(f => f.Id is FindingIds.DockerFirewalldZoneMissing or FindingIds.DockerForwardingPolicyMissing).ToList();

    [Theory]
    [InlineData("bookworm-healthy")]
    [InlineData("trixie-healthy")]
    [InlineData("docker28-handler-healthy")]
    public void Healthy_hosts_of_every_generation_have_docker_s_objects_and_no_error_or_warning(string fixture)
    {
        var facts = Load(fixture);
        Assert.Empty(Objects(facts));
        Assert.DoesNotContain(DockerHostChecks.Evaluate(facts, [5000]), f => f.Severity != FindingSeverity.Info);
    }

    [Theory]
    [InlineData("bookworm-healthy")]
    [InlineData("trixie-healthy")]
    [InlineData("docker28-handler-healthy")]
    public void Docker0_out_of_the_docker_zone_is_a_warning_repaired_by_restarting_the_engine(string fixture)
    {
        var facts = Load(fixture);
        facts = facts with { Firewalld = facts.Firewalld with { DockerZone = facts.Firewalld.DockerZone! with { Interfaces = [] } } };
        var f = Assert.Single(Objects(facts));
        Assert.Equal(FindingIds.DockerFirewalldZoneMissing, f.Id);
        Assert.Equal(FindingSeverity.Warning, f.Severity);
        Assert.Equal("firewalld zone docker", f.Target);
        Assert.Equal(RepairAction.RestartEngine, f.Intent.Action);
        Assert.Contains(f.Evidence, e => e.Contains("docker0 is not in zone docker", StringComparison.Ordinal) && e.Contains("zone public", StringComparison.Ordinal));
        Assert.Contains(f.Remedy, r => r.Command.Contains("systemctl restart docker", StringComparison.Ordinal));
    }

    [Fact]
    public void A_missing_docker_zone_is_a_warning_and_an_altered_target_is_set_back_by_hand()
    {
        var facts = Load("trixie-healthy");
        var missing = Assert.Single(Objects(facts with
        {
            Firewalld = facts.Firewalld with { DockerZone = null, RuntimeZones = ["block", "public", "trusted"] },
        }));
        Assert.Equal(FindingSeverity.Warning, missing.Severity);
        Assert.Contains("no zone docker", missing.Evidence[0], StringComparison.Ordinal);
        Assert.Equal(RepairAction.RestartEngine, missing.Intent.Action);

        var altered = Assert.Single(Objects(facts with { Firewalld = facts.Firewalld with { DockerZone = facts.Firewalld.DockerZone! with { Target = "default" } } }));
        Assert.Contains("target default", altered.Evidence[0], StringComparison.Ordinal);
        Assert.False(altered.CanRepair); // dockerd leaves an existing zone's target alone
        Assert.Contains(altered.Remedy, r => r.Command.Contains("--set-target=ACCEPT", StringComparison.Ordinal));
    }

    [Fact]
    public void The_docker_forwarding_policy_is_expected_from_docker_27_only()
    {
        // trixie's 26.1 and bookworm's 20.10 make no policy (their firewalld answers INVALID_POLICY): nothing to miss.
        Assert.NotEqual(0, Fx.Exit("2.3.1-trixie-healthy-info-policy-docker-forwarding"));
        Assert.Empty(Objects(Load("trixie-healthy")));
        Assert.Empty(Objects(Load("bookworm-healthy")));

        var facts = Load("docker28-handler-healthy");
        var gone = Assert.Single(Objects(facts with { Firewalld = facts.Firewalld with { Policies = [] } }));
        Assert.Equal(FindingIds.DockerForwardingPolicyMissing, gone.Id);
        Assert.Equal(FindingSeverity.Warning, gone.Severity);
        Assert.Equal("firewalld policy docker-forwarding", gone.Target);
        Assert.Equal(RepairAction.RestartEngine, gone.Intent.Action);

        var p = facts.Firewalld.Policies!.Single();
        var dropped = Assert.Single(Objects(facts with { Firewalld = facts.Firewalld with { Policies = [p with { Target = "DROP", EgressZones = ["public"] }] } }));
        Assert.Contains(dropped.Evidence, e => e.Contains("target DROP", StringComparison.Ordinal));
        Assert.Contains(dropped.Evidence, e => e.Contains("egress zones public", StringComparison.Ordinal));
        Assert.False(dropped.CanRepair); // dockerd does not touch an existing policy: it is deleted first
    }

    [Fact]
    public void Where_dockerd_does_not_use_firewalld_its_objects_are_not_expected()
    {
        // docker28-healthy: dockerd started before firewalld 2.5 was ready (/info FirewallBackend "iptables"): it made no
        // zone binding and follows no reload; FirewalldStartedWithoutDockerHandler says so, not these.
        var facts = Load("docker28-healthy");
        Assert.Equal("iptables", facts.Docker.FirewallBackend);
        facts = facts with { Firewalld = facts.Firewalld with { DockerZone = facts.Firewalld.DockerZone! with { Interfaces = [] }, Policies = [] } };
        Assert.Empty(Objects(facts));

        var stopped = Load("trixie-healthy");
        Assert.Empty(Objects(stopped with { Firewalld = stopped.Firewalld with { State = FirewalldRunState.NotRunning, DockerZone = null } }));
    }

    [Fact]
    public void A_snapshot_of_an_older_module_that_did_not_read_zones_or_policies_gives_neither_finding()
    {
        var facts = Load("docker28-handler-healthy");
        Assert.Empty(Objects(facts with { Firewalld = facts.Firewalld with { RuntimeZones = null, DockerZone = null, Policies = null } }));
    }

    [Fact]
    public void The_new_facts_survive_json()
    {
        var facts = Load("docker28-handler-healthy");
        facts = facts with { Docker = facts.Docker with { IPv4Forwarding = true } };
        var back = HostFacts.FromJson(facts.ToJson());
        Assert.Equal(facts.Firewalld.DockerZone!.Interfaces, back.Firewalld.DockerZone!.Interfaces);
        Assert.Equal("ACCEPT", back.Firewalld.Policies!.Single().Target);
        Assert.Equal(["ANY"], back.Firewalld.Policies!.Single().IngressZones);
        Assert.Equal(["docker0"], back.Docker.Bridges);
        Assert.True(back.Docker.IPv4Forwarding);
        Assert.Empty(Objects(back));
    }
}
