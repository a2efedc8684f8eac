using DockerHostTools.Core.Diagnosis;
using DockerHostTools.Core.Docker;
using DockerHostTools.Core.Iptables;
using Xunit;

namespace DockerHostTools.Core.Tests.Iptables;

// Docker 29 is not packaged here: its rules come from Fixtures/iptables/docker29-iptablesdoc-usernet-portmap.txt, hand-typed
// from moby's generated rule document (Fixtures/iptables/README.md): a user network bridge1 (192.0.2.0/24) with
// container c1 (192.0.2.2) publishing 8080 -> 80.
public sealed class Docker29FixtureTests
{
    private const string Name = "docker29-iptablesdoc-usernet-portmap.txt";
    private const string DnatLine = "-A DOCKER ! -i bridge1 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 192.0.2.2:80";

    private static string Text() => Fixture.Read("iptables", Name);

    private static HostFacts Facts(string rules)
    {
        // The reading as HostReader would make it on a Docker 29 host with these rules and the document's container;
        // firewalld and forwarding are left out (read nothing), so only Docker's part is judged.
        var snapshot = new IptablesSnapshot([new IptablesSave("iptables-nft-save", IptablesVariant.Nft, IptablesSaveParser.Parse(rules, IptablesVariant.Nft), false)], IptablesVariant.Nft);
        var c1 = new DockerContainer("c1c1c1c1c1c1", "c1", "busybox", "running", "Up 1 minute",
            [new DockerPortBinding("0.0.0.0", 8080, 80, "tcp")], new Dictionary<string, string> { ["bridge1"] = "192.0.2.2" });
        return HostFactsBuilder.Build(new HostReading
        {
            Taken = DateTimeOffset.UnixEpoch,
            HostName = "docker29",
            Iptables = snapshot,
            Chains = snapshot.DockerChains(29),
            EngineVersion = new DockerEngineVersion("29.0.0", "1.52", "1.24", "linux", "6.1.0"),
            Containers = [c1],
            PublishedPorts = DockerPublishedPorts.Build([c1], snapshot, []),
            SystemdAvailable = false,
            DockerBridges = ["bridge1", "docker0"],
        });
    }

    [Fact]
    public void The_fixture_is_docker_29_s_chain_set_with_the_dnat_rule()
    {
        Assert.Contains(DnatLine, Text(), StringComparison.Ordinal);
        var chains = DockerChains.Analyze(IptablesSaveParser.Parse(Text(), IptablesVariant.Nft), engineMajorVersion: 29);
        Assert.Equal(["nat DOCKER", "filter DOCKER", "filter DOCKER-USER", "filter DOCKER-FORWARD", "filter DOCKER-CT", "filter DOCKER-BRIDGE", "filter DOCKER-INTERNAL"],
            chains.Where(c => c.Expected).Select(c => c.Table + " " + c.Chain));
        Assert.All(chains.Where(c => c.Expected), c => Assert.True(c.Exists && c.Intact, $"{c.Table}/{c.Chain}"));
        Assert.DoesNotContain(chains, c => c.Chain.StartsWith("DOCKER-ISOLATION", StringComparison.Ordinal) && (c.Expected || c.Exists));
        Assert.Equal(["PREROUTING", "OUTPUT"], chains.Single(c => c is { Table: "nat", Chain: "DOCKER" }).JumpsFrom);
        Assert.Equal(["DOCKER-BRIDGE"], chains.Single(c => c is { Table: "filter", Chain: "DOCKER" }).JumpsFrom);
    }

    [Fact]
    public void A_healthy_docker_29_host_gives_no_error_and_no_warning()
    {
        var facts = Facts(Text());
        var port = Assert.Single(facts.Docker.Ports);
        Assert.True(port.DnatRulePresent);
        Assert.True(port.ForwardAccepted);
        Assert.DoesNotContain(DockerHostChecks.Evaluate(facts), f => f.Severity != FindingSeverity.Info);
        Assert.DoesNotContain(DockerHostChecks.Evaluate(facts), f => f.Id == FindingIds.DockerChainMissing);
    }

    [Fact]
    public void Without_its_dnat_rule_docker_29_gives_DockerDnatMissing()
    {
        var facts = Facts(Text().Replace(DnatLine + "\n", string.Empty, StringComparison.Ordinal));
        Assert.False(Assert.Single(facts.Docker.Ports).DnatRulePresent);
        var f = DockerHostChecks.Evaluate(facts).Single(x => x.Id == FindingIds.DockerDnatMissing);
        Assert.Equal(FindingSeverity.Error, f.Severity); // no docker-proxy in the document's reading: nothing answers
        Assert.Equal("8080/tcp", f.Target);
        Assert.DoesNotContain(DockerHostChecks.Evaluate(facts), x => x.Id == FindingIds.DockerChainMissing);
    }

    [Fact]
    public void Docker_29_with_the_isolation_chains_of_28_expected_would_cry_wolf_but_29_does_not_expect_them()
    {
        var rs = IptablesSaveParser.Parse(Text(), IptablesVariant.Nft);
        Assert.Contains(DockerChains.Analyze(rs, engineMajorVersion: 28), c => c.Chain == "DOCKER-ISOLATION-STAGE-1" && c.Expected && !c.Exists);
        Assert.DoesNotContain(DockerChains.Analyze(rs, engineMajorVersion: 29), c => c.Expected && !c.Exists);
    }
}
