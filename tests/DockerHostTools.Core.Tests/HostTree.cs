using DockerHostTools.Core.Native;

namespace DockerHostTools.Core.Tests;

/// <summary>A real folder that stands for a host's "/": tests write real files and links into it.</summary>
internal sealed class HostTree : IDisposable
{
    public HostTree()
    {
        Root = Directory.CreateTempSubdirectory("dht-tree-").FullName;
        Fs = new HostFileSystem(Root);
    }

    public string Root { get; }

    public HostFileSystem Fs { get; }

    public HostTree File(string hostPath, string text)
    {
        var path = Fs.Map(hostPath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllText(path, text);
        return this;
    }

    public HostTree Link(string hostPath, string target)
    {
        var path = Fs.Map(hostPath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        System.IO.File.CreateSymbolicLink(path, target);
        return this;
    }

    public HostTree DirLink(string hostPath, string target)
    {
        var path = Fs.Map(hostPath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        Directory.CreateSymbolicLink(path, target);
        return this;
    }

    public string Read(string hostPath) => System.IO.File.ReadAllText(Fs.Map(hostPath));

    public bool Exists(string hostPath) => System.IO.File.Exists(Fs.Map(hostPath));

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
