using System.Runtime.Versioning;

// The module diagnoses Linux Docker hosts: /proc/sys, sysctl.d, firewalld, iptables, systemd.
[assembly: SupportedOSPlatform("linux")]
