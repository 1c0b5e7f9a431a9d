//! dovecot: a real IMAP server with one mailbox (passwd-file user, maildir), plain auth on loopback.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::ports::{PortLease, Protocol};
use crate::process::{ServiceProcess, ServiceUser, service_dir};
use crate::{Result, TestkitError, Tools, wait};

/// The mailbox's address (also its IMAP login).
pub const USER: &str = "support@showdesk.test";

/// A running dovecot with one mailbox.
#[derive(Debug)]
pub struct Dovecot {
    process: ServiceProcess,
    lease: PortLease,
    password: String,
    mail_dir: PathBuf,
}

impl Dovecot {
    pub fn start() -> Result<Self> {
        let dovecot = Tools::dovecot()?;
        let lease = PortLease::new(Protocol::Tcp)?;
        let dir = service_dir("dovecot")?;
        let root = dir.path().to_path_buf();
        let mail_dir = root.join("mail");
        for sub in ["run", "state", "mail"] {
            std::fs::create_dir_all(root.join(sub)).map_err(TestkitError::io("create dovecot folders"))?;
        }
        // dovecot will not serve mail as uid 0: when we are root the mailbox belongs to nobody.
        let owner = ServiceUser::unprivileged();
        owner.own(&mail_dir)?;
        let password = random_token();
        let users = root.join("users");
        std::fs::write(
            &users,
            format!("{USER}:{{PLAIN}}{password}:{}:{}::{}\n", owner.uid, owner.gid, mail_dir.display()),
        )
        .map_err(TestkitError::io("write the dovecot users file"))?;
        let conf = root.join("dovecot.conf");
        std::fs::write(&conf, config(&root, &users, &mail_dir, lease.port(), &internal_account()))
            .map_err(TestkitError::io("write dovecot.conf"))?;
        let mut command = Command::new(dovecot);
        command.arg("-F").arg("-c").arg(&conf);
        let process = ServiceProcess::spawn("dovecot", command, dir)?;
        let mut server = Self { process, lease, password, mail_dir };
        let (port, password) = (server.port(), server.password.clone());
        wait::until_ready(&mut server.process, || login_check(port, &password))?;
        Ok(server)
    }

    pub fn host(&self) -> &'static str {
        "127.0.0.1"
    }

    pub fn port(&self) -> u16 {
        self.lease.port()
    }

    pub fn user(&self) -> &'static str {
        USER
    }

    /// This instance's random password.
    pub fn password(&self) -> &str {
        &self.password
    }

    pub fn mail_dir(&self) -> &Path {
        &self.mail_dir
    }

    pub fn pid(&self) -> Option<u32> {
        self.process.pid()
    }

    /// Puts a raw RFC 5322 message into INBOX over IMAP (APPEND), as delivery would. Returns the
    /// server's tagged answer (with the APPENDUID).
    pub fn deliver(&self, raw: &[u8]) -> Result<String> {
        self.deliver_to("INBOX", raw)
    }

    /// APPENDs a message to `mailbox` (created if missing).
    pub fn deliver_to(&self, mailbox: &str, raw: &[u8]) -> Result<String> {
        let mut session = ImapSession::login(self.port(), &self.password)?;
        session.command(&format!("CREATE \"{mailbox}\""))?; // NO when it exists: fine
        let answer = session.append(mailbox, raw)?;
        session.command("LOGOUT")?;
        Ok(answer)
    }
}

/// The account dovecot's own helper processes run as: `nobody` when started as root, else the
/// current account (a user cannot switch to another).
fn internal_account() -> (String, String) {
    let me = ServiceUser::current();
    if me.uid == 0 {
        return ("nobody".into(), "nogroup".into());
    }
    let name_of = |file: &str, id: u32| {
        std::fs::read_to_string(file).ok().and_then(|table| {
            table.lines().find_map(|line| {
                let mut fields = line.split(':');
                let name = fields.next()?;
                (fields.nth(1)?.parse::<u32>().ok()? == id).then(|| name.to_owned())
            })
        })
    };
    let user = name_of("/etc/passwd", me.uid).or_else(|| std::env::var("USER").ok()).unwrap_or_default();
    let group = name_of("/etc/group", me.gid).unwrap_or_else(|| user.clone());
    (user, group)
}

fn config(root: &Path, users: &Path, mail_dir: &Path, port: u16, (user, group): &(String, String)) -> String {
    let root = root.display();
    let users = users.display();
    let mail = mail_dir.display();
    format!(
        r#"base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
first_valid_uid = 1
mail_location = maildir:{mail}/%n
namespace inbox {{
  inbox = yes
  mailbox Sent {{
    special_use = \Sent
    auto = create
  }}
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {users}
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {users}
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"#
    )
}

fn login_check(port: u16, password: &str) -> Result<(), String> {
    let mut session = ImapSession::login(port, password).map_err(|err| err.to_string())?;
    session.command("LOGOUT").map(drop).map_err(|err| err.to_string())
}

/// Just enough IMAP to check a login and append a message.
struct ImapSession {
    reader: BufReader<TcpStream>,
    stream: TcpStream,
    tag: u32,
}

impl ImapSession {
    fn login(port: u16, password: &str) -> Result<Self> {
        let stream = TcpStream::connect(("127.0.0.1", port)).map_err(TestkitError::io("connect to dovecot"))?;
        stream.set_read_timeout(Some(Duration::from_secs(10))).map_err(TestkitError::io("socket timeout"))?;
        let reader = BufReader::new(stream.try_clone().map_err(TestkitError::io("clone socket"))?);
        let mut session = Self { reader, stream, tag: 0 };
        // dovecot may first say "Waiting for authentication process"; the real greeting ends "ready."
        loop {
            let line = session.read_line()?;
            if line.contains("ready") || line.starts_with("* PREAUTH") {
                break;
            }
        }
        let answer = session.command(&format!("LOGIN \"{USER}\" \"{password}\""))?;
        if !answer.contains(" OK") {
            return Err(protocol(format!("login refused: {answer}")));
        }
        Ok(session)
    }

    fn read_line(&mut self) -> Result<String> {
        let mut line = String::new();
        let read = self.reader.read_line(&mut line).map_err(TestkitError::io("read from dovecot"))?;
        if read == 0 {
            return Err(protocol("connection closed".into()));
        }
        Ok(line)
    }

    /// Sends a command and returns its tagged completion line.
    fn command(&mut self, command: &str) -> Result<String> {
        self.tag += 1;
        let tag = format!("a{}", self.tag);
        write!(self.stream, "{tag} {command}\r\n").map_err(TestkitError::io("write to dovecot"))?;
        self.tagged(&tag)
    }

    fn tagged(&mut self, tag: &str) -> Result<String> {
        loop {
            let line = self.read_line()?;
            if line.starts_with(&format!("{tag} ")) {
                return Ok(line.trim_end().to_owned());
            }
        }
    }

    fn append(&mut self, mailbox: &str, raw: &[u8]) -> Result<String> {
        self.tag += 1;
        let tag = format!("a{}", self.tag);
        write!(self.stream, "{tag} APPEND \"{mailbox}\" {{{}}}\r\n", raw.len()).map_err(TestkitError::io("write"))?;
        let go_ahead = self.read_line()?;
        if !go_ahead.starts_with('+') {
            return Err(protocol(format!("APPEND refused: {go_ahead}")));
        }
        self.stream.write_all(raw).map_err(TestkitError::io("write the message"))?;
        self.stream.write_all(b"\r\n").map_err(TestkitError::io("write"))?;
        let answer = self.tagged(&tag)?;
        if answer.contains(" OK") { Ok(answer) } else { Err(protocol(format!("APPEND failed: {answer}"))) }
    }
}

fn protocol(detail: String) -> TestkitError {
    TestkitError::Protocol { service: "dovecot", detail }
}

/// A random token for passwords (not cryptographic: local test servers only).
pub(crate) fn random_token() -> String {
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher, Hasher};
    let mut token = String::new();
    for _ in 0..2 {
        let mut hasher = RandomState::new().build_hasher();
        hasher.write_u128(
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0),
        );
        token.push_str(&format!("{:016x}", hasher.finish()));
    }
    token
}
