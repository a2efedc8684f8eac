using System.Net.Sockets;
using DockerHostTools.Core.Docker;
using Xunit;

namespace DockerHostTools.Core.Tests.Docker;

public sealed class DockerEngineClientTests
{
    [Fact]
    public async Task A_socket_that_does_not_exist_is_SocketNotFound()
    {
        using var client = new DockerEngineClient("/nonexistent/dht/docker.sock");

        var ex = await Assert.ThrowsAsync<DockerEngineUnavailableException>(() => client.GetVersionAsync());

        Assert.Equal(DockerEngineFailure.SocketNotFound, ex.Failure);
        Assert.Contains("-Socket", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stale_socket_file_nobody_listens_on_is_NotListening()
    {
        var dir = Directory.CreateTempSubdirectory("dht-sock-");
        var path = Path.Combine(dir.FullName, "docker.sock");
        try
        {
            // Bound, never listening (.NET unlinks the file when the socket closes, so keep it open): connect is refused,
            // as on the socket file a killed dockerd leaves behind.
            using var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            s.Bind(new UnixDomainSocketEndPoint(path));

            using var client = new DockerEngineClient(path);
            var ex = await Assert.ThrowsAsync<DockerEngineUnavailableException>(() => client.GetInfoAsync());

            Assert.Equal(DockerEngineFailure.NotListening, ex.Failure);
        }
        finally
        {
            dir.Delete(true);
        }
    }

    [Fact]
    public async Task A_plain_file_in_place_of_the_socket_is_not_the_engine()
    {
        var file = Path.GetTempFileName();
        try
        {
            using var client = new DockerEngineClient(file);
            var ex = await Assert.ThrowsAsync<DockerEngineUnavailableException>(() => client.PingAsync());

            Assert.Equal(DockerEngineFailure.NotListening, ex.Failure);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
