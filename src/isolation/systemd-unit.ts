/**
 * Pure. The systemd unit `skiff agent --print-systemd-unit` prints, hardened as far as running apps
 * allows. Two shapes:
 * - isolated (the default): User=root, because only root can create each app's user, hand it its
 *   folders and start its processes as it. The agent's own privileges are cut to the capabilities that
 *   needs. /etc stays writable for useradd (ProtectSystem=true, not strict).
 * - not isolated (`--isolation off`): a dedicated unprivileged user, which may still bind 80 and 443
 *   through AmbientCapabilities=CAP_NET_BIND_SERVICE; the whole file system is read-only but the data
 *   directory (ProtectSystem=strict). Apps then run as that user and can read the agent's data.
 * NoNewPrivileges is kept in both: it stops setuid programs gaining privileges, while the agent
 * dropping to an app's user (setuid/setgid at spawn) is a loss of privileges and still allowed.
 */
export interface UnitOptions {
  /** node and bin/skiff.js, absolute. */
  node: string;
  bin: string;
  /** The agent's flags (--data-dir, --listen…), already checked. */
  args: string[];
  dataDir: string;
  isolated: boolean;
  /** The account of a non-isolated agent. */
  user?: string;
}

export function systemdUnit(options: UnitOptions): string {
  const exec = [options.node, options.bin, "agent", ...options.args].map(quoteArg).join(" ");
  const common = [
    "PrivateTmp=yes",
    "PrivateDevices=yes",
    "NoNewPrivileges=yes",
    "ProtectKernelTunables=yes",
    "ProtectKernelModules=yes",
    "ProtectKernelLogs=yes",
    "ProtectControlGroups=yes",
    "ProtectClock=yes",
    "ProtectHostname=yes",
    "RestrictSUIDSGID=yes",
    "RestrictRealtime=yes",
    "LockPersonality=yes",
    "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK",
    "# The agent's code and node may live under /home; apps cannot write there.",
    "ProtectHome=read-only",
  ];
  const who = options.isolated
    ? [
        "# root, so each app runs as its own user (skiff-<app>, or user: in skiff.yml): see docs/cli.md.",
        "User=root",
        "# Only what isolation needs: create users (useradd), hand them their folders, start and signal",
        "# their processes, read their files for backups and pruning, and bind 80/443.",
        "CapabilityBoundingSet=CAP_CHOWN CAP_DAC_OVERRIDE CAP_DAC_READ_SEARCH CAP_FOWNER CAP_KILL CAP_SETUID CAP_SETGID CAP_NET_BIND_SERVICE CAP_AUDIT_WRITE",
        "# /usr and /boot read-only; /etc stays writable for useradd.",
        "ProtectSystem=true",
        "UMask=0077",
      ]
    : [
        "# Apps run as this user too (no isolation: they can read the agent's data directory).",
        `User=${options.user ?? "skiff"}`,
        `Group=${options.user ?? "skiff"}`,
        "# Bind 80 and 443 without root.",
        "AmbientCapabilities=CAP_NET_BIND_SERVICE",
        "CapabilityBoundingSet=CAP_NET_BIND_SERVICE",
        "ProtectSystem=strict",
        `ReadWritePaths=${options.dataDir}`,
        "UMask=0077",
      ];
  return `${[
    "[Unit]",
    "Description=Skiff agent: zero-downtime deploys, the proxy and the apps' processes",
    "After=network-online.target",
    "Wants=network-online.target",
    "",
    "[Service]",
    "# notify: the agent says when it serves and, after a reload (SIGHUP), which process is the main one",
    "# now (MAINPID=, sent by systemd-notify, a helper process: hence NotifyAccess=all).",
    "Type=notify",
    "NotifyAccess=all",
    `ExecStart=${exec}`,
    "# A new agent takes the listening sockets and the apps over, then the old one drains and exits.",
    "ExecReload=/bin/kill -HUP $MAINPID",
    "# SIGTERM: stop accepting, drain, stop the apps, exit 0; give it the apps' stop_timeout.",
    "KillMode=mixed",
    "TimeoutStopSec=90",
    "Restart=on-failure",
    "RestartSec=2",
    ...who,
    ...common,
    "",
    "[Install]",
    "WantedBy=multi-user.target",
  ].join("\n")}\n`;
}

/** systemd's own quoting for ExecStart: a word with a space or a quote goes in double quotes. */
function quoteArg(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `"${arg.replace(/(["\\])/g, "\\$1")}"`;
}
