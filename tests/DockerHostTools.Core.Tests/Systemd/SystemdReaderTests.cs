using DockerHostTools.Core.Docker;
using DockerHostTools.Core.Systemd;
using Xunit;

namespace DockerHostTools.Core.Tests.Systemd;

public sealed class SystemdReaderTests
{
    private static IReadOnlyList<SystemdUnitState> Units(string fixture, params string[] names)
    {
        var blocks = SystemdReader.ParseShow(Fixture.Read("systemctl", fixture));
        return names.Select((n, i) => SystemdReader.FromBlock(n, blocks[i])).ToList();
    }

    [Fact]
    public void Show_of_systemd_252_gives_one_block_per_unit_in_the_order_asked_whatever_the_key_order()
    {
        var u = Units("show-252-docker-host.txt", "docker.service", "containerd.service", "firewalld.service", "network.service", "NetworkManager.service",
            "systemd-networkd.service");

        Assert.Equal(6, u.Count);
        var docker = u[0];
        Assert.Equal(("docker.service", "loaded", "active", "running"), (docker.Name, docker.LoadState, docker.ActiveState, docker.SubState));
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 19, 23, 47, TimeSpan.Zero), docker.ActiveSince);
        Assert.Equal(1394757506UL, docker.ActiveEnterMonotonicUs);
        Assert.Equal(0, docker.NRestarts);
        Assert.Contains("firewalld.service", docker.After);
        Assert.Equal("enabled", docker.UnitFileState);
        Assert.Equal("success", docker.Result);
        Assert.False(u[3].Exists);
        Assert.Null(u[3].ActiveSince);
        Assert.Empty(u[3].After);
    }

    [Fact]
    public void Firewalld_started_before_docker_at_boot_is_not_after_docker()
    {
        var u = Units("show-252-docker-host.txt", "docker.service", "containerd.service", "firewalld.service");

        Assert.True(u[2].ActiveEnterMonotonicUs < u[0].ActiveEnterMonotonicUs);
    }

    [Fact]
    public void Firewalld_restarted_after_docker_has_the_later_monotonic_timestamp()
    {
        var u = Units("show-252-firewalld-restarted-after-docker.txt", "docker.service", "firewalld.service");

        Assert.True(u[1].ActiveEnterMonotonicUs > u[0].ActiveEnterMonotonicUs);
        var svc = new DockerHostServiceSnapshot([new DockerHostService(u[0], null, null, null), new DockerHostService(u[1], true, null, null)], null);
        Assert.True(svc.FirewalldActiveAfterDocker);
    }

    [Theory]
    [InlineData("docker", "docker.service")]
    [InlineData("docker.socket", "docker.socket")]
    [InlineData(" firewalld ", "firewalld.service")]
    public void Unit_names_get_the_service_suffix_when_they_have_none(string name, string expected) =>
        Assert.Equal(expected, SystemdReader.NormalizeUnit(name));

    [Theory]
    [InlineData("--all")]
    [InlineData("a b")]
    [InlineData("../x")]
    public void Option_like_or_path_like_names_are_refused(string name) =>
        Assert.Throws<ArgumentException>(() => SystemdReader.NormalizeUnit(name));

    [Theory]
    [InlineData("Wed 2026-11-25 19:23:47 UTC", 2026, 11, 25, 19, 23, 47)]
    [InlineData("Tue 2019-03-05 10:12:01 GMT", 2019, 3, 5, 10, 12, 1)]
    public void Timestamps_parse(string text, int y, int mo, int d, int h, int mi, int s) =>
        Assert.Equal(new DateTimeOffset(y, mo, d, h, mi, s, TimeSpan.Zero), SystemdReader.ParseTimestamp(text));

    [Theory]
    [InlineData("")]
    [InlineData("n/a")]
    [InlineData("yesterday")]
    public void Empty_or_odd_timestamps_are_null(string text) => Assert.Null(SystemdReader.ParseTimestamp(text));
}

public sealed class DockerHostServicesTests
{
    private static IReadOnlyList<SystemdUnitState> Units(string fixture, params string[] names)
    {
        var blocks = SystemdReader.ParseShow(Fixture.Read("systemctl", fixture));
        return names.Select((n, i) => SystemdReader.FromBlock(n, blocks[i])).ToList();
    }

    [Fact]
    public void At_boot_every_unit_became_active_before_docker_and_absent_units_have_no_order()
    {
        var u = Units("show-252-docker-host.txt", "docker.service", "containerd.service", "firewalld.service", "network.service", "NetworkManager.service",
            "systemd-networkd.service");

        var s = DockerHostServices.Build(u, u[0], null, null);

        Assert.Equal([null, false, false, null, null, false], s.Services.Select(x => x.ActiveAfterDocker));
        Assert.False(s.FirewalldActiveAfterDocker);
    }

    [Fact]
    public void Firewalld_restarted_after_docker_is_flagged_and_the_engine_report_goes_on_docker()
    {
        var u = Units("show-252-firewalld-restarted-after-docker.txt", "docker.service", "firewalld.service");
        var info = new DockerEngineInfo("28.2.2", true, null, 1, "iptables+firewalld", new DateTimeOffset(2026, 11, 25, 19, 24, 0, TimeSpan.Zero), null, []);

        var s = DockerHostServices.Build(u, u[0], info, null);

        Assert.True(s.FirewalldActiveAfterDocker);
        Assert.Equal("iptables+firewalld", s.Services[0].FirewallBackend);
        Assert.Null(s.Services[1].FirewallBackend);
    }

    [Fact]
    public void Without_an_active_docker_nothing_is_ordered()
    {
        var u = Units("show-252-docker-host.txt", "docker.service", "containerd.service", "firewalld.service");

        var s = DockerHostServices.Build(u.Skip(1).ToList(), null, null, "engine down");

        Assert.All(s.Services, x => Assert.Null(x.ActiveAfterDocker));
        Assert.Equal("engine down", s.EngineError);
    }
}
