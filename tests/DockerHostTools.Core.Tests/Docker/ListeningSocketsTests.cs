using DockerHostTools.Core.Docker;
using Xunit;

namespace DockerHostTools.Core.Tests.Docker;

public sealed class ListeningSocketsTests
{
    [Fact]
    public void Proc_net_tcp_of_the_lab_host_shows_docker_proxy_port_5000()
    {
        var l = ListeningSockets.Parse(Fixture.Read("proc", "net-tcp-dkhost-docker-proxy-5000.txt"), "tcp", "0A").Single();

        Assert.Equal(("tcp", "0.0.0.0", 5000, 24081L), l);
    }

    [Fact]
    public void Proc_net_tcp6_addresses_are_decoded()
    {
        var l = ListeningSockets.Parse(Fixture.Read("proc", "net-tcp6-dkhost-docker-proxy-5000.txt"), "tcp", "0A").Single();

        Assert.Equal("::", l.Address);
        Assert.Equal(5000, l.Port);
    }

    [Theory]
    [InlineData("0100007F", "127.0.0.1")]
    [InlineData("010200C0", "192.0.2.1")]
    [InlineData("00000000000000000000000001000000", "::1")]
    public void Kernel_hex_addresses_decode(string hex, string expected) => Assert.Equal(expected, ListeningSockets.DecodeAddress(hex));

    [Fact]
    public void Live_read_finds_a_socket_this_process_listens_on_and_looks_up_only_docker_proxy_owners()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;

        var found = ListeningSockets.Read(DockerHostTools.Core.Native.HostFileSystem.Live, new HashSet<int> { port }).Single();

        Assert.Equal("127.0.0.1", found.Address);
        Assert.Equal(port, found.Port);
        Assert.Null(found.ProcessId);
        Assert.Null(found.ProcessName);
    }
}
