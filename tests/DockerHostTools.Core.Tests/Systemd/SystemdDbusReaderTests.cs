using DockerHostTools.Core.Systemd;
using Xunit;

namespace DockerHostTools.Core.Tests.Systemd;

/// <summary>
/// systemd's D-Bus values (types as in org.freedesktop.systemd1.Unit/Service: strings, as, t microseconds, u, ay) for
/// the docker.service block of Fixtures/systemctl/show-252-docker-host.txt give the unit systemctl show's text gives.
/// </summary>
public sealed class SystemdDbusReaderTests
{
    [Theory]
    [InlineData("docker.service", "/org/freedesktop/systemd1/unit/docker_2eservice")]
    [InlineData("systemd-networkd.service", "/org/freedesktop/systemd1/unit/systemd_2dnetworkd_2eservice")]
    [InlineData("NetworkManager.service", "/org/freedesktop/systemd1/unit/NetworkManager_2eservice")]
    [InlineData("1x.service", "/org/freedesktop/systemd1/unit/_31x_2eservice")]
    [InlineData("dbus-org.fedoraproject.FirewallD1.service", "/org/freedesktop/systemd1/unit/dbus_2dorg_2efedoraproject_2eFirewallD1_2eservice")]
    public void Unit_paths_are_escaped_as_sd_bus_path_encode_does(string unit, string path) => Assert.Equal(path, SystemdDbusReader.UnitPath(unit));

    [Theory]
    [InlineData("docker.service", "org.freedesktop.systemd1.Service")]
    [InlineData("docker.socket", "org.freedesktop.systemd1.Socket")]
    [InlineData("network-online.target", "org.freedesktop.systemd1.Target")]
    [InlineData("odd.thing", null)]
    public void Each_unit_type_has_its_interface(string unit, string? expected) => Assert.Equal(expected, SystemdDbusReader.TypeInterface(unit));

    [Fact]
    public void Dbus_values_give_the_unit_systemctl_show_gives()
    {
        var show = SystemdReader.FromBlock("docker.service", SystemdReader.ParseShow(Fixture.Read("systemctl", "show-252-docker-host.txt"))[0]);
        var after = "systemd-journald.socket network-online.target sysinit.target basic.target dk-cgroup-rw.service docker.socket firewalld.service system.slice containerd.service";
        var values = new Dictionary<string, object?>
        {
            ["Id"] = "docker.service", ["LoadState"] = "loaded", ["ActiveState"] = "active", ["SubState"] = "running",
            ["ActiveEnterTimestamp"] = (ulong)new DateTimeOffset(2026, 11, 25, 19, 23, 47, TimeSpan.Zero).ToUnixTimeMilliseconds() * 1000 + 123_456,
            ["ActiveEnterTimestampMonotonic"] = 1394757506UL, ["NRestarts"] = 0U, ["Result"] = "success", ["UnitFileState"] = "enabled",
            ["After"] = after.Split(' ').Cast<object?>().ToArray(),
            ["InvocationID"] = Convert.FromHexString("0123456789abcdef0123456789abcdef"),
            ["Description"] = "Docker Application Container Engine", // not asked for: left out
        };
        var block = SystemdDbusReader.ToShowBlock(values);
        Assert.False(block.ContainsKey("Description"));
        Assert.Equal("0123456789abcdef0123456789abcdef", block["InvocationID"]);
        var unit = SystemdReader.FromBlock("docker.service", block);
        Assert.Equal((show.Name, show.LoadState, show.ActiveState, show.SubState, show.ActiveSince, show.ActiveEnterMonotonicUs, show.NRestarts, show.Result, show.UnitFileState),
            (unit.Name, unit.LoadState, unit.ActiveState, unit.SubState, unit.ActiveSince, unit.ActiveEnterMonotonicUs, unit.NRestarts, unit.Result, unit.UnitFileState));
        Assert.Equal(show.After, unit.After);
        Assert.Equal("0123456789abcdef0123456789abcdef", unit.InvocationId);
    }

    [Fact]
    public void A_unit_never_active_has_no_timestamp_and_no_invocation()
    {
        var unit = SystemdReader.FromBlock("x.service", SystemdDbusReader.ToShowBlock(new Dictionary<string, object?>
        {
            ["Id"] = "x.service", ["LoadState"] = "not-found", ["ActiveState"] = "inactive", ["SubState"] = "dead",
            ["ActiveEnterTimestamp"] = 0UL, ["ActiveEnterTimestampMonotonic"] = 0UL, ["InvocationID"] = Array.Empty<byte>(), ["After"] = Array.Empty<object?>(),
        }));
        Assert.Null(unit.ActiveSince);
        Assert.Null(unit.InvocationId);
        Assert.False(unit.Exists);
        Assert.Empty(unit.After);
    }
}
