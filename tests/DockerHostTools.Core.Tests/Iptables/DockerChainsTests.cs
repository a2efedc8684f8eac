using DockerHostTools.Core.Iptables;
using Xunit;

namespace DockerHostTools.Core.Tests.Iptables;

public sealed class DockerChainsTests
{
    private static IptablesRuleset Load(string name, IptablesVariant variant) => IptablesSaveParser.Parse(Fixture.Read("iptables", name), variant);

    [Theory]
    [InlineData("iptables-nft-save-1.8.9-docker-20.10.txt", IptablesVariant.Nft)]
    [InlineData("iptables-legacy-save-1.8.9-docker-20.10.txt", IptablesVariant.Legacy)]
    public void Dockerd_20_10_builds_every_expected_chain_with_jumps(string fixture, IptablesVariant variant)
    {
        var chains = DockerChains.Analyze(Load(fixture, variant), engineMajorVersion: 20);

        Assert.Equal(["nat DOCKER", "filter DOCKER", "filter DOCKER-USER", "filter DOCKER-ISOLATION-STAGE-1", "filter DOCKER-ISOLATION-STAGE-2"],
            chains.Select(c => c.Table + " " + c.Chain));
        Assert.All(chains, c => Assert.True(c.Exists && c.Intact && c.Expected));
        Assert.All(chains, c => Assert.Equal(variant, c.Variant));
        var nat = chains[0];
        Assert.Equal(2, nat.RuleCount);
        Assert.Equal(1, nat.DnatRuleCount);
        Assert.Equal(["PREROUTING", "OUTPUT"], nat.JumpsFrom);
        Assert.Equal(["FORWARD"], chains[1].JumpsFrom);
        Assert.Equal(["DOCKER-ISOLATION-STAGE-1"], chains[4].JumpsFrom);
        Assert.All(chains, c => Assert.Equal("DROP", c.ForwardPolicy));
    }

    [Fact]
    public void Engine_28_expects_the_new_chains_and_reports_them_missing_on_an_old_ruleset()
    {
        var chains = DockerChains.Analyze(Load("iptables-nft-save-1.8.9-docker-20.10.txt", IptablesVariant.Nft), engineMajorVersion: 28);

        Assert.Equal(DockerChains.Chains28, chains.Where(c => !c.Exists).Select(c => c.Chain));
    }

    [Fact]
    public void Deleted_dnat_rule_leaves_the_chain_intact_with_no_dnat()
    {
        var rs = Load("iptables-legacy-save-1.8.9-dnat-deleted.txt", IptablesVariant.Legacy);
        var nat = DockerChains.Analyze(rs).First();

        Assert.True(nat.Exists);
        Assert.Equal(1, nat.RuleCount);
        Assert.Equal(0, nat.DnatRuleCount);
        Assert.Empty(DockerChains.DnatRules(rs));
        Assert.Single(DockerChains.ForwardRules(rs));
    }

    [Fact]
    public void Flushed_nat_docker_exists_with_zero_rules_but_still_jumped_into()
    {
        var nat = DockerChains.Analyze(Load("iptables-legacy-save-1.8.9-nat-docker-flushed.txt", IptablesVariant.Legacy)).First();

        Assert.True(nat.Exists);
        Assert.Equal(0, nat.RuleCount);
        Assert.True(nat.Intact);
    }

    [Fact]
    public void Tables_flushed_and_chains_deleted_show_every_chain_missing_and_policy_accept()
    {
        var rs = Load("iptables-legacy-save-1.8.9-flushed-all.txt", IptablesVariant.Legacy);
        var chains = DockerChains.Analyze(rs);

        Assert.All(chains, c => Assert.False(c.Exists));
        Assert.All(chains, c => Assert.False(c.Intact));
        Assert.Equal("ACCEPT", DockerChains.ForwardPolicy(rs));
        Assert.False(rs.HoldsRules);
    }

    [Fact]
    public void Dnat_rule_is_read_per_published_port()
    {
        var rule = DockerChains.DnatRules(Load("iptables-nft-save-1.8.9-docker-20.10.txt", IptablesVariant.Nft)).Single();

        Assert.Equal(IptablesVariant.Nft, rule.Variant);
        Assert.Equal("tcp", rule.Protocol);
        Assert.Null(rule.HostIp);
        Assert.Equal(5000, rule.HostPort);
        Assert.Equal("192.0.2.2", rule.ContainerIp);
        Assert.Equal(5000, rule.ContainerPort);
        Assert.Equal("docker0", rule.ExceptInterface);
    }

    [Fact]
    public void Forward_accept_rule_is_read()
    {
        var rule = DockerChains.ForwardRules(Load("iptables-nft-save-1.8.9-docker-20.10.txt", IptablesVariant.Nft)).Single();

        Assert.Equal("192.0.2.2", rule.ContainerIp);
        Assert.Equal(5000, rule.ContainerPort);
        Assert.Equal("docker0", rule.OutInterface);
    }

    [Fact]
    public void Old_engine_with_one_isolation_chain_is_judged_by_that_chain_hand_transcribed_1_4_21()
    {
        var rs = Load("iptables-save-1.4.21-centos7-HAND-TRANSCRIBED.txt", IptablesVariant.Unknown);
        var chains = DockerChains.Analyze(rs);

        Assert.Contains(chains, c => c is { Chain: "DOCKER-ISOLATION", Exists: true, Expected: true });
        Assert.DoesNotContain(chains, c => c.Chain.StartsWith("DOCKER-ISOLATION-STAGE", StringComparison.Ordinal));
        Assert.All(chains, c => Assert.True(c.Intact));
        Assert.Equal("172.17.0.2", DockerChains.DnatRules(rs).Single().ContainerIp);
    }

    [Fact]
    public void Host_ip_limited_dnat_and_port_ranges_are_read()
    {
        var rs = IptablesSaveParser.Parse("*nat\n:DOCKER - [0:0]\n-A DOCKER -d 127.0.0.1/32 ! -i docker0 -p udp -m udp --dport 5353 -j DNAT --to-destination 192.0.2.3:53\nCOMMIT\n",
            IptablesVariant.Nft);
        var rule = DockerChains.DnatRules(rs).Single();

        Assert.Equal("127.0.0.1", rule.HostIp);
        Assert.Equal("udp", rule.Protocol);
        Assert.Equal(53, rule.ContainerPort);
    }

    [Fact]
    public void Unexpected_docker_chains_are_listed_as_not_expected()
    {
        var rs = IptablesSaveParser.Parse("*filter\n:FORWARD ACCEPT [0:0]\n:DOCKER-EXTRA - [0:0]\nCOMMIT\n", IptablesVariant.Nft);

        Assert.Contains(DockerChains.Analyze(rs), c => c is { Chain: "DOCKER-EXTRA", Expected: false, Exists: true });
    }
}
