using System.Text.Json;
using DockerHostTools.Core.Docker;
using DockerHostTools.Core.Iptables;
using Xunit;

namespace DockerHostTools.Core.Tests.Docker;

public sealed class DockerPublishedPortsTests
{
    private static IReadOnlyList<DockerContainer> Containers() =>
        DockerEngineParser.ParseContainers(JsonDocument.Parse(Fixture.Read("docker-api", "containers-20.10.24.json")).RootElement);

    private static IptablesSnapshot Snapshot(params (string Fixture, IptablesVariant Variant)[] saves) =>
        new(saves.Select(s => new IptablesSave(s.Variant.ToString(), s.Variant, IptablesSaveParser.Parse(Fixture.Read("iptables", s.Fixture), s.Variant), false)).ToList(),
            IptablesVariant.Nft);

    private static IReadOnlyList<ListeningSocket> Listeners() =>
    [
        .. ListeningSockets.Parse(Fixture.Read("proc", "net-tcp-dkhost-docker-proxy-5000.txt"), "tcp", "0A")
            .Select(l => new ListeningSocket(l.Protocol, l.Address, l.Port, l.Inode, 17793, "docker-proxy")),
    ];

    [Fact]
    public void Intact_nft_rules_and_proxy_give_a_healthy_port_one_per_binding()
    {
        var p = DockerPublishedPorts.Build(Containers(), Snapshot(("iptables-nft-save-1.8.9-docker-20.10.txt", IptablesVariant.Nft)), Listeners()).Single();

        Assert.Equal(("dkreg", "0.0.0.0", 5000, "tcp", "192.0.2.2", 5000), (p.ContainerName, p.HostIp, p.Port, p.Protocol, p.ContainerIp, p.ContainerPort));
        Assert.True(p.DnatRulePresent);
        Assert.Equal(IptablesVariant.Nft, p.RuleVariant);
        Assert.True(p.ForwardAccepted);
        Assert.True(p.ProxyListening);
        Assert.True(p.PathIntact);
        Assert.Equal("0.0.0.0:5000 (docker-proxy[17793])", p.Listener);
    }

    [Fact]
    public void Rules_in_legacy_while_nft_is_empty_are_found_in_legacy()
    {
        var p = DockerPublishedPorts.Build(Containers(), Snapshot(
            ("iptables-nft-save-1.8.9-empty-nat-legacy-tables-present.txt", IptablesVariant.Nft),
            ("iptables-legacy-save-1.8.9-docker-20.10.txt", IptablesVariant.Legacy)), Listeners()).Single();

        Assert.True(p.DnatRulePresent);
        Assert.Equal(IptablesVariant.Legacy, p.RuleVariant);
        Assert.True(p.ForwardAccepted);
    }

    [Fact]
    public void Deleted_dnat_rule_shows_while_the_proxy_still_listens()
    {
        var p = DockerPublishedPorts.Build(Containers(), Snapshot(("iptables-legacy-save-1.8.9-dnat-deleted.txt", IptablesVariant.Legacy)), Listeners()).Single();

        Assert.False(p.DnatRulePresent);
        Assert.Null(p.RuleVariant);
        Assert.True(p.ForwardAccepted);
        Assert.True(p.ProxyListening);
        Assert.False(p.PathIntact);
    }

    [Fact]
    public void Flushed_tables_and_no_listener_show_everything_missing()
    {
        var p = DockerPublishedPorts.Build(Containers(), Snapshot(("iptables-legacy-save-1.8.9-flushed-all.txt", IptablesVariant.Legacy)), []).Single();

        Assert.False(p.DnatRulePresent);
        Assert.False(p.ForwardAccepted);
        Assert.False(p.ProxyListening);
        Assert.Null(p.Listener);
    }

    [Fact]
    public void A_listener_of_another_process_is_not_the_proxy()
    {
        var other = new ListeningSocket("tcp", "0.0.0.0", 5000, 1, 42, "registry");
        var p = DockerPublishedPorts.Build(Containers(), Snapshot(("iptables-nft-save-1.8.9-docker-20.10.txt", IptablesVariant.Nft)), [other]).Single();

        Assert.False(p.ProxyListening);
    }

    [Fact]
    public void Filter_docker_is_reached_from_forward_directly_or_through_docker_28_chains()
    {
        Assert.True(DockerPublishedPorts.FilterDockerReached(IptablesSaveParser.Parse(Fixture.Read("iptables", "iptables-nft-save-1.8.9-docker-20.10.txt"), IptablesVariant.Nft)));
        var chain28 = IptablesSaveParser.Parse("*filter\n:FORWARD DROP [0:0]\n:DOCKER - [0:0]\n:DOCKER-BRIDGE - [0:0]\n:DOCKER-FORWARD - [0:0]\n" +
            "-A FORWARD -j DOCKER-FORWARD\n-A DOCKER-FORWARD -j DOCKER-BRIDGE\n-A DOCKER-BRIDGE -o docker0 -j DOCKER\nCOMMIT\n", IptablesVariant.Nft);
        Assert.True(DockerPublishedPorts.FilterDockerReached(chain28));
        var orphan = IptablesSaveParser.Parse("*filter\n:FORWARD DROP [0:0]\n:DOCKER - [0:0]\nCOMMIT\n", IptablesVariant.Nft);
        Assert.False(DockerPublishedPorts.FilterDockerReached(orphan));
    }
}
