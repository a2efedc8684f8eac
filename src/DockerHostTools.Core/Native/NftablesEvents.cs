using System.ComponentModel;
using System.Runtime.InteropServices;

namespace DockerHostTools.Core.Native;

/// <summary>
/// The kernel's notifications of nf_tables changes: an <c>AF_NETLINK</c>/<c>NETLINK_NETFILTER</c> socket joined to the
/// <c>NFNLGRP_NFTABLES</c> multicast group (what <c>nft monitor</c> reads). Every change to a table, chain, rule or set,
/// by nft, iptables-nft, firewalld or dockerd, sends a message to the group; the watch is told at once instead of
/// polling iptables-save. Rules of iptables-legacy send nothing (the legacy x_tables have no notification). Joining the
/// group needs CAP_NET_ADMIN; the socket sees the network namespace of the process.
/// <para>A background thread waits in <c>poll(2)</c> on the socket and an eventfd (no timeout, no wake-up while
/// nothing changes); <see cref="Dispose"/> writes the eventfd to end it.</para>
/// </summary>
public sealed class NftablesEvents : IDisposable
{
    private const int AfNetlink = 16;
    private const int SockRaw = 3;
    private const int SockCloexec = 0x80000;
    private const int NetlinkNetfilter = 12;
    private const int SolNetlink = 270;
    private const int NetlinkAddMembership = 1;
    private const int NfnlgrpNftables = 7;
    private const int EfdCloexec = 0x80000;
    private const short PollIn = 1;
    private const int Eintr = 4;
    private const int Enobufs = 105;
    private const int MsgDontwait = 0x40;

    private readonly int _socket;
    private readonly int _stop;
    private readonly Action _onChange;
    private readonly Action<Exception> _onEnd;
    private readonly Thread _thread;
    private int _disposed;

    private NftablesEvents(int socket, int stop, Action onChange, Action<Exception> onEnd)
    {
        _socket = socket;
        _stop = stop;
        _onChange = onChange;
        _onEnd = onEnd;
        _thread = new Thread(Run) { IsBackground = true, Name = "nftables events" };
        _thread.Start();
    }

    /// <summary>
    /// Opens the socket and joins the group; <paramref name="onChange"/> runs (on the background thread) for every batch
    /// of messages, also when the kernel dropped some (ENOBUFS: something changed). <paramref name="onEnd"/> runs once if
    /// the socket fails later.
    /// </summary>
    /// <exception cref="Win32Exception">The socket could not be opened or joined (no CAP_NET_ADMIN, no nf_tables): its errno.</exception>
    public static NftablesEvents Open(Action onChange, Action<Exception> onEnd)
    {
        ArgumentNullException.ThrowIfNull(onChange);
        ArgumentNullException.ThrowIfNull(onEnd);
        var fd = socket(AfNetlink, SockRaw | SockCloexec, NetlinkNetfilter);
        if (fd < 0)
        {
            throw Failed("socket(AF_NETLINK, NETLINK_NETFILTER)");
        }

        var stop = -1;
        try
        {
            // struct sockaddr_nl { sa_family_t nl_family; unsigned short nl_pad; __u32 nl_pid; __u32 nl_groups; }: pid 0, the kernel picks.
            var address = new byte[12];
            BitConverter.TryWriteBytes(address.AsSpan(0, 2), (ushort)AfNetlink);
            if (bind(fd, address, address.Length) != 0)
            {
                throw Failed("bind(AF_NETLINK)");
            }

            var group = NfnlgrpNftables;
            if (setsockopt(fd, SolNetlink, NetlinkAddMembership, ref group, sizeof(int)) != 0)
            {
                throw Failed("setsockopt(NETLINK_ADD_MEMBERSHIP, NFNLGRP_NFTABLES)");
            }

            stop = eventfd(0, EfdCloexec);
            if (stop < 0)
            {
                throw Failed("eventfd");
            }

            return new NftablesEvents(fd, stop, onChange, onEnd);
        }
        catch
        {
            _ = close(fd);
            if (stop >= 0)
            {
                _ = close(stop);
            }

            throw;
        }
    }

    /// <summary>Ends the thread and closes the socket.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        var one = new byte[8];
        one[0] = 1;
        _ = write(_stop, one, one.Length);
        if (Thread.CurrentThread != _thread)
        {
            _thread.Join(TimeSpan.FromSeconds(2));
        }

        _ = close(_socket);
        _ = close(_stop);
    }

    private void Run()
    {
        var buffer = new byte[64 * 1024];
        var fds = new PollFd[] { new() { Fd = _socket, Events = PollIn }, new() { Fd = _stop, Events = PollIn } };
        try
        {
            while (Volatile.Read(ref _disposed) == 0)
            {
                fds[0].Revents = fds[1].Revents = 0;
                if (poll(fds, 2, -1) < 0)
                {
                    if (Marshal.GetLastPInvokeError() == Eintr)
                    {
                        continue;
                    }

                    throw Failed("poll");
                }

                if (fds[1].Revents != 0 || Volatile.Read(ref _disposed) != 0)
                {
                    return;
                }

                if (fds[0].Revents == 0)
                {
                    continue;
                }

                // Drain what is there (a ruleset change is a batch of messages), then say so once.
                var changed = false;
                while (true)
                {
                    var n = recv(_socket, buffer, buffer.Length, MsgDontwait);
                    if (n > 0)
                    {
                        changed = true;
                        continue;
                    }

                    var errno = n < 0 ? Marshal.GetLastPInvokeError() : 0;
                    if (errno == Enobufs)
                    {
                        changed = true; // the kernel dropped messages: something changed
                        continue;
                    }

                    if (errno is 0 or 11 or Eintr)
                    {
                        break; // EAGAIN: drained
                    }

                    throw Failed("recv");
                }

                if (changed)
                {
                    _onChange();
                }
            }
        }
        catch (Exception ex)
        {
            if (Volatile.Read(ref _disposed) == 0)
            {
                _onEnd(ex);
            }
        }
    }

    private static Win32Exception Failed(string what)
    {
        var errno = Marshal.GetLastPInvokeError();
        return new Win32Exception(errno, $"{what} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).");
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int socket(int domain, int type, int protocol);

    [DllImport("libc", SetLastError = true)]
    private static extern int bind(int fd, byte[] address, int length);

    [DllImport("libc", SetLastError = true)]
    private static extern int setsockopt(int fd, int level, int name, ref int value, int length);

    [DllImport("libc", SetLastError = true)]
    private static extern int eventfd(uint initial, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern nint write(int fd, byte[] buffer, nint count);

    [DllImport("libc", SetLastError = true)]
    private static extern nint recv(int fd, byte[] buffer, nint length, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int poll([In, Out] PollFd[] fds, nuint count, int timeout);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);
}
