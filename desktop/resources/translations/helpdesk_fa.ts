<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fa_IR">
<context>
    <name>AccountMenu</name>
    <message>
        <location filename="../../views/account_actions.py" line="26"/>
        <source>&amp;Account</source>
        <translation>&amp;حساب</translation>
    </message>
    <message>
        <location filename="../../views/account_actions.py" line="28"/>
        <source>Sign in again…</source>
        <translation>ورود دوباره…</translation>
    </message>
    <message>
        <location filename="../../views/account_actions.py" line="31"/>
        <location filename="../../views/account_actions.py" line="67"/>
        <location filename="../../views/account_actions.py" line="78"/>
        <source>Sign out</source>
        <translation>خروج از حساب</translation>
    </message>
    <message numerus="yes">
        <location filename="../../views/account_actions.py" line="69"/>
        <source>%Ln change(s) not yet sent.</source>
        <translation>
            <numerusform>%Ln تغییر هنوز فرستاده نشده است.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../views/account_actions.py" line="72"/>
        <source>They stay on this computer and are sent the next time %1 signs in. Sign out anyway?</source>
        <translation>این تغییرات روی این رایانه می‌مانند و دفعهٔ بعد که %1 وارد شود فرستاده می‌شوند. با این حال خارج می‌شوید؟</translation>
    </message>
</context>
<context>
    <name>App</name>
    <message>
        <location filename="../../app.py" line="116"/>
        <source>offline</source>
        <translation>آفلاین</translation>
    </message>
</context>
<context>
    <name>AssignDialog</name>
    <message>
        <location filename="../../views/assign_dialog.py" line="62"/>
        <source>Refer to a colleague</source>
        <translation>ارجاع به همکار</translation>
    </message>
    <message>
        <location filename="../../views/assign_dialog.py" line="69"/>
        <source>pending</source>
        <translation>در انتظار</translation>
    </message>
    <message>
        <location filename="../../views/assign_dialog.py" line="71"/>
        <source>Ticket %1: %2</source>
        <translation>تیکت %1: %2</translation>
    </message>
    <message>
        <location filename="../../views/assign_dialog.py" line="73"/>
        <source>%1 selected tickets</source>
        <translation>%1 تیکتِ برگزیده</translation>
    </message>
    <message>
        <location filename="../../views/assign_dialog.py" line="80"/>
        <source>Keep the ticket&apos;s team</source>
        <translation>تیم تیکت بماند</translation>
    </message>
    <message>
        <location filename="../../views/assign_dialog.py" line="87"/>
        <source>Find a colleague</source>
        <translation>جست‌وجوی همکار</translation>
    </message>
    <message>
        <location filename="../../views/assign_dialog.py" line="95"/>
        <source>A note for your colleague (saved as an internal note on the ticket)</source>
        <translation>یادداشتی برای همکارتان (به‌صورت یادداشت داخلی روی تیکت ثبت می‌شود)</translation>
    </message>
    <message>
        <location filename="../../views/assign_dialog.py" line="109"/>
        <source>Refer</source>
        <translation>ارجاع</translation>
    </message>
    <message>
        <location filename="../../views/assign_dialog.py" line="122"/>
        <source>Team</source>
        <translation>تیم</translation>
    </message>
    <message>
        <location filename="../../views/assign_dialog.py" line="128"/>
        <source>Note</source>
        <translation>یادداشت</translation>
    </message>
    <message>
        <location filename="../../views/assign_dialog.py" line="138"/>
        <source>Colleague</source>
        <translation>همکار</translation>
    </message>
    <message>
        <location filename="../../views/assign_dialog.py" line="138"/>
        <source>Open tickets</source>
        <translation>تیکت‌های باز</translation>
    </message>
    <message>
        <location filename="../../views/assign_dialog.py" line="138"/>
        <source>Leave</source>
        <translation>مرخصی</translation>
    </message>
    <message>
        <location filename="../../views/assign_dialog.py" line="176"/>
        <source>Nobody: the team&apos;s own rule picks</source>
        <translation>هیچ‌کس: قاعدهٔ خودِ تیم برمی‌گزیند</translation>
    </message>
    <message>
        <location filename="../../views/assign_dialog.py" line="182"/>
        <source>on leave until %1</source>
        <translation>در مرخصی تا %1</translation>
    </message>
    <message>
        <location filename="../../views/assign_dialog.py" line="246"/>
        <source>Choose a colleague to refer the ticket to.</source>
        <translation>همکاری را برای ارجاع برگزینید.</translation>
    </message>
</context>
<context>
    <name>CatalogPage</name>
    <message>
        <location filename="../../views/settings_catalog.py" line="36"/>
        <source>Text</source>
        <translation>متن</translation>
    </message>
    <message>
        <location filename="../../views/settings_catalog.py" line="37"/>
        <source>Number</source>
        <translation>عدد</translation>
    </message>
    <message>
        <location filename="../../views/settings_catalog.py" line="38"/>
        <source>Date</source>
        <translation>تاریخ</translation>
    </message>
    <message>
        <location filename="../../views/settings_catalog.py" line="39"/>
        <source>Choice</source>
        <translation>گزینه‌ای</translation>
    </message>
    <message>
        <location filename="../../views/settings_catalog.py" line="40"/>
        <source>Yes / no</source>
        <translation>بله / خیر</translation>
    </message>
    <message>
        <location filename="../../views/settings_catalog.py" line="69"/>
        <location filename="../../views/settings_catalog.py" line="87"/>
        <source>Name</source>
        <translation>نام</translation>
    </message>
    <message>
        <location filename="../../views/settings_catalog.py" line="71"/>
        <source>New</source>
        <translation>تازه</translation>
    </message>
    <message>
        <location filename="../../views/settings_catalog.py" line="74"/>
        <source>Save</source>
        <translation>ذخیره</translation>
    </message>
    <message>
        <location filename="../../views/settings_catalog.py" line="89"/>
        <source>Add</source>
        <translation>افزودن</translation>
    </message>
    <message>
        <location filename="../../views/settings_catalog.py" line="93"/>
        <source>Save changes</source>
        <translation>ذخیرهٔ تغییرات</translation>
    </message>
    <message>
        <location filename="../../views/settings_catalog.py" line="97"/>
        <location filename="../../views/settings_catalog.py" line="264"/>
        <source>Delete</source>
        <translation>حذف</translation>
    </message>
    <message>
        <location filename="../../views/settings_catalog.py" line="261"/>
        <source>Delete %1? This cannot be undone.</source>
        <translation>%1 حذف شود؟ این کار بازگشت‌پذیر نیست.</translation>
    </message>
    <message>
        <location filename="../../views/settings_catalog.py" line="293"/>
        <source>Team</source>
        <translation>تیم</translation>
    </message>
    <message>
        <location filename="../../views/settings_catalog.py" line="294"/>
        <source>Subjects</source>
        <translation>موضوع‌ها</translation>
    </message>
    <message>
        <location filename="../../views/settings_catalog.py" line="302"/>
        <source>(none)</source>
        <translation>(هیچ)</translation>
    </message>
    <message>
        <location filename="../../views/settings_catalog.py" line="337"/>
        <source>Custom fields</source>
        <translation>فیلدهای سفارشی</translation>
    </message>
    <message>
        <location filename="../../views/settings_catalog.py" line="341"/>
        <source>Latin letters, digits and _</source>
        <translation>حروف لاتین کوچک، رقم و _</translation>
    </message>
    <message>
        <location filename="../../views/settings_catalog.py" line="351"/>
        <source>For a choice: options, separated by commas</source>
        <translation>برای فیلد گزینه‌ای: گزینه‌ها، جداشده با ویرگول</translation>
    </message>
    <message>
        <location filename="../../views/settings_catalog.py" line="353"/>
        <source>Required</source>
        <translation>الزامی</translation>
    </message>
    <message>
        <location filename="../../views/settings_catalog.py" line="356"/>
        <source>Key</source>
        <translation>کلید</translation>
    </message>
    <message>
        <location filename="../../views/settings_catalog.py" line="358"/>
        <source>Kind</source>
        <translation>نوع</translation>
    </message>
    <message>
        <location filename="../../views/settings_catalog.py" line="359"/>
        <source>Choices</source>
        <translation>گزینه‌ها</translation>
    </message>
</context>
<context>
    <name>CollisionBanner</name>
    <message>
        <location filename="../../views/collision_banner.py" line="125"/>
        <source>%1 is writing a reply</source>
        <translation>%1 در حال نوشتن پاسخ است</translation>
    </message>
    <message>
        <location filename="../../views/collision_banner.py" line="127"/>
        <source>%1 is viewing this ticket</source>
        <translation>%1 در حال دیدن این تیکت است</translation>
    </message>
</context>
<context>
    <name>Composer</name>
    <message>
        <location filename="../../views/composer.py" line="193"/>
        <source>Reply to customer</source>
        <translation>پاسخ به مشتری</translation>
    </message>
    <message>
        <location filename="../../views/composer.py" line="195"/>
        <source>Internal note</source>
        <translation>یادداشت داخلی</translation>
    </message>
    <message>
        <location filename="../../views/composer.py" line="207"/>
        <source>Canned reply…</source>
        <translation>پاسخ آماده…</translation>
    </message>
    <message>
        <location filename="../../views/composer.py" line="209"/>
        <source>Knowledge base…</source>
        <translation>پایگاه دانش…</translation>
    </message>
    <message>
        <location filename="../../views/composer.py" line="212"/>
        <source>Attach file…</source>
        <translation>پیوست فایل…</translation>
    </message>
    <message>
        <location filename="../../views/composer.py" line="238"/>
        <source>Remove files</source>
        <translation>حذف فایل‌ها</translation>
    </message>
    <message>
        <location filename="../../views/composer.py" line="242"/>
        <location filename="../../views/composer.py" line="361"/>
        <source>Send</source>
        <translation>ارسال</translation>
    </message>
    <message>
        <location filename="../../views/composer.py" line="245"/>
        <source>Send (Ctrl+Enter)</source>
        <translation>ارسال (Ctrl+Enter)</translation>
    </message>
    <message>
        <location filename="../../views/composer.py" line="282"/>
        <source>Draft restored</source>
        <translation>پیش‌نویس بازیابی شد</translation>
    </message>
    <message>
        <location filename="../../views/composer.py" line="331"/>
        <source>Draft saved</source>
        <translation>پیش‌نویس ذخیره شد</translation>
    </message>
    <message>
        <location filename="../../views/composer.py" line="354"/>
        <source>Internal note: only staff see it</source>
        <translation>یادداشت داخلی: فقط کارکنان آن را می‌بینند</translation>
    </message>
    <message>
        <location filename="../../views/composer.py" line="355"/>
        <source>Staff only</source>
        <translation>فقط کارکنان</translation>
    </message>
    <message>
        <location filename="../../views/composer.py" line="356"/>
        <source>Add note</source>
        <translation>ثبت یادداشت</translation>
    </message>
    <message>
        <location filename="../../views/composer.py" line="359"/>
        <source>Reply to the customer</source>
        <translation>پاسخ به مشتری</translation>
    </message>
    <message>
        <location filename="../../views/composer.py" line="429"/>
        <source>Knowledge base article</source>
        <translation>مقاله پایگاه دانش</translation>
    </message>
    <message>
        <location filename="../../views/composer.py" line="435"/>
        <source>Attach files</source>
        <translation>پیوست فایل‌ها</translation>
    </message>
</context>
<context>
    <name>ConflictsDialog</name>
    <message>
        <location filename="../../views/conflicts_dialog.py" line="32"/>
        <source>Assignee</source>
        <translation>کارشناس</translation>
    </message>
    <message>
        <location filename="../../views/conflicts_dialog.py" line="33"/>
        <source>Team</source>
        <translation>تیم</translation>
    </message>
    <message>
        <location filename="../../views/conflicts_dialog.py" line="34"/>
        <source>Stage</source>
        <translation>مرحله</translation>
    </message>
    <message>
        <location filename="../../views/conflicts_dialog.py" line="35"/>
        <source>Status</source>
        <translation>وضعیت</translation>
    </message>
    <message>
        <location filename="../../views/conflicts_dialog.py" line="36"/>
        <source>Title</source>
        <translation>عنوان</translation>
    </message>
    <message>
        <location filename="../../views/conflicts_dialog.py" line="37"/>
        <source>Severity</source>
        <translation>شدت</translation>
    </message>
    <message>
        <location filename="../../views/conflicts_dialog.py" line="38"/>
        <source>Impact</source>
        <translation>اثر</translation>
    </message>
    <message>
        <location filename="../../views/conflicts_dialog.py" line="41"/>
        <source>New</source>
        <translation>جدید</translation>
    </message>
    <message>
        <location filename="../../views/conflicts_dialog.py" line="42"/>
        <source>In progress</source>
        <translation>در جریان</translation>
    </message>
    <message>
        <location filename="../../views/conflicts_dialog.py" line="43"/>
        <source>Closed</source>
        <translation>بسته</translation>
    </message>
    <message>
        <location filename="../../views/conflicts_dialog.py" line="67"/>
        <source>Conflicts</source>
        <translation>ناسازگاری‌ها</translation>
    </message>
    <message>
        <location filename="../../views/conflicts_dialog.py" line="82"/>
        <source>Someone else changed these fields before your change reached the server. Keep the server&apos;s value, or use yours again.</source>
        <translation>پیش از رسیدن تغییر شما به سرور، همکار دیگری این فیلدها را تغییر داده است. مقدار سرور را نگه دارید یا مقدار خودتان را دوباره به کار ببرید.</translation>
    </message>
    <message>
        <location filename="../../views/conflicts_dialog.py" line="95"/>
        <location filename="../../views/conflicts_dialog.py" line="107"/>
        <source>Ticket</source>
        <translation>درخواست</translation>
    </message>
    <message>
        <location filename="../../views/conflicts_dialog.py" line="95"/>
        <source>Field</source>
        <translation>فیلد</translation>
    </message>
    <message>
        <location filename="../../views/conflicts_dialog.py" line="95"/>
        <source>Server&apos;s value</source>
        <translation>مقدار سرور</translation>
    </message>
    <message>
        <location filename="../../views/conflicts_dialog.py" line="95"/>
        <source>Your value</source>
        <translation>مقدار شما</translation>
    </message>
    <message>
        <location filename="../../views/conflicts_dialog.py" line="97"/>
        <source>Keep server&apos;s</source>
        <translation>مقدار سرور بماند</translation>
    </message>
    <message>
        <location filename="../../views/conflicts_dialog.py" line="99"/>
        <source>Use mine</source>
        <translation>مقدار من</translation>
    </message>
    <message>
        <location filename="../../views/conflicts_dialog.py" line="104"/>
        <source>Changes the server refused</source>
        <translation>تغییراتی که سرور رد کرد</translation>
    </message>
    <message>
        <location filename="../../views/conflicts_dialog.py" line="107"/>
        <source>Reason</source>
        <translation>دلیل</translation>
    </message>
    <message>
        <location filename="../../views/conflicts_dialog.py" line="108"/>
        <source>Dismiss</source>
        <translation>کنار گذاشتن</translation>
    </message>
    <message>
        <location filename="../../views/conflicts_dialog.py" line="155"/>
        <source>pending</source>
        <translation>در انتظار</translation>
    </message>
    <message>
        <location filename="../../views/conflicts_dialog.py" line="160"/>
        <source>(none)</source>
        <translation>(هیچ)</translation>
    </message>
    <message>
        <location filename="../../views/conflicts_dialog.py" line="246"/>
        <source>Your value could not be applied: %1</source>
        <translation>مقدار شما به کار بسته نشد: %1</translation>
    </message>
</context>
<context>
    <name>ConversationView</name>
    <message>
        <location filename="../../views/conversation_view.py" line="119"/>
        <source>Customer</source>
        <translation>مشتری</translation>
    </message>
    <message>
        <location filename="../../views/conversation_view.py" line="121"/>
        <source>Reply</source>
        <translation>پاسخ</translation>
    </message>
    <message>
        <location filename="../../views/conversation_view.py" line="123"/>
        <source>Internal note</source>
        <translation>یادداشت داخلی</translation>
    </message>
    <message>
        <location filename="../../views/conversation_view.py" line="124"/>
        <source>System</source>
        <translation>سامانه</translation>
    </message>
    <message>
        <location filename="../../views/conversation_view.py" line="130"/>
        <source>Assigned to {assignee} automatically ({mode}).</source>
        <translation>به‌طور خودکار به {assignee} واگذار شد ({mode}).</translation>
    </message>
    <message>
        <location filename="../../views/conversation_view.py" line="133"/>
        <source>Merged {tickets} into this ticket.</source>
        <translation>{tickets} در این تیکت ادغام شد.</translation>
    </message>
    <message>
        <location filename="../../views/conversation_view.py" line="136"/>
        <source>Merged into {ticket}.</source>
        <translation>در {ticket} ادغام شد.</translation>
    </message>
    <message>
        <location filename="../../views/conversation_view.py" line="139"/>
        <source>Converted to lead &quot;{lead}&quot; (sales team: {team}, salesperson: {salesperson}); the ticket is archived.</source>
        <translation>به سرنخ «{lead}» تبدیل شد (تیم فروش: {team}، فروشنده: {salesperson})؛ تیکت بایگانی شد.</translation>
    </message>
    <message>
        <location filename="../../views/conversation_view.py" line="144"/>
        <source>The customer marked it resolved (rating {rating} of 5).</source>
        <translation>مشتری آن را حل‌شده اعلام کرد (امتیاز {rating} از ۵).</translation>
    </message>
    <message>
        <location filename="../../views/conversation_view.py" line="158"/>
        <source>sending…</source>
        <translation>در حال ارسال…</translation>
    </message>
    <message>
        <location filename="../../views/conversation_view.py" line="160"/>
        <source>sent</source>
        <translation>ارسال شد</translation>
    </message>
    <message>
        <location filename="../../views/conversation_view.py" line="162"/>
        <source>failed</source>
        <translation>ارسال نشد</translation>
    </message>
    <message>
        <location filename="../../views/conversation_view.py" line="169"/>
        <source>interrupted while sending; it may or may not have reached the customer</source>
        <translation>ارسال نیمه‌کاره ماند؛ شاید به مشتری رسیده باشد، شاید نه</translation>
    </message>
    <message>
        <location filename="../../views/conversation_view.py" line="278"/>
        <source>No messages yet.</source>
        <translation>هنوز پیامی نیست.</translation>
    </message>
    <message>
        <location filename="../../views/conversation_view.py" line="297"/>
        <source>Unknown</source>
        <translation>نامشخص</translation>
    </message>
    <message>
        <location filename="../../views/conversation_view.py" line="302"/>
        <source>not yet sent</source>
        <translation>هنوز فرستاده نشده</translation>
    </message>
    <message>
        <location filename="../../views/conversation_view.py" line="310"/>
        <source>Not sent to the customer:</source>
        <translation>به مشتری فرستاده نشد:</translation>
    </message>
    <message>
        <location filename="../../views/conversation_view.py" line="328"/>
        <source>Attachments:</source>
        <translation>پیوست‌ها:</translation>
    </message>
    <message>
        <location filename="../../views/conversation_view.py" line="341"/>
        <source>%1 bytes</source>
        <translation>%1 بایت</translation>
    </message>
    <message>
        <location filename="../../views/conversation_view.py" line="343"/>
        <source>%1 KB</source>
        <translation>%1 کیلوبایت</translation>
    </message>
    <message>
        <location filename="../../views/conversation_view.py" line="344"/>
        <source>%1 MB</source>
        <translation>%1 مگابایت</translation>
    </message>
    <message>
        <location filename="../../views/conversation_view.py" line="370"/>
        <source>Open</source>
        <translation>باز کردن</translation>
    </message>
    <message>
        <location filename="../../views/conversation_view.py" line="373"/>
        <source>Save as…</source>
        <translation>ذخیره با نام…</translation>
    </message>
    <message>
        <location filename="../../views/conversation_view.py" line="383"/>
        <source>Save attachment</source>
        <translation>ذخیره پیوست</translation>
    </message>
    <message>
        <location filename="../../views/conversation_view.py" line="433"/>
        <source>%1 could not be written to %2: %3</source>
        <translation>%1 در %2 نوشته نشد: %3</translation>
    </message>
    <message>
        <location filename="../../views/conversation_view.py" line="487"/>
        <source>Downloading %1…</source>
        <translation>در حال دریافت %1…</translation>
    </message>
    <message>
        <location filename="../../views/conversation_view.py" line="508"/>
        <source>%1 is not on this computer and the server cannot be reached. Try again when you are back online.</source>
        <translation>%1 روی این رایانه نیست و سرور در دسترس نیست. وقتی دوباره برخط شدید، دوباره امتحان کنید.</translation>
    </message>
    <message>
        <location filename="../../views/conversation_view.py" line="512"/>
        <source>%1 could not be downloaded: the server asks you to sign in again.</source>
        <translation>%1 دریافت نشد: سرور می‌خواهد دوباره وارد شوید.</translation>
    </message>
    <message>
        <location filename="../../views/conversation_view.py" line="514"/>
        <source>%1 arrived damaged from the server and was not kept. Try again.</source>
        <translation>%1 آسیب‌دیده از سرور رسید و نگه داشته نشد. دوباره امتحان کنید.</translation>
    </message>
    <message>
        <location filename="../../views/conversation_view.py" line="517"/>
        <source>The server refused to give %1: %2</source>
        <translation>سرور %1 را نداد: %2</translation>
    </message>
    <message>
        <location filename="../../views/conversation_view.py" line="522"/>
        <source>%1 could not be downloaded.</source>
        <translation>%1 دریافت نشد.</translation>
    </message>
    <message>
        <location filename="../../views/conversation_view.py" line="534"/>
        <source>Attachment</source>
        <translation>پیوست</translation>
    </message>
    <message>
        <location filename="../../views/conversation_view.py" line="527"/>
        <source>%1 is not on this computer yet; it arrives with the next sync.</source>
        <translation>%1 هنوز روی این رایانه نیست؛ با همگام‌سازی بعدی می‌رسد.</translation>
    </message>
</context>
<context>
    <name>CustomerFile</name>
    <message>
        <location filename="../../views/customer_file.py" line="36"/>
        <source>New</source>
        <translation>جدید</translation>
    </message>
    <message>
        <location filename="../../views/customer_file.py" line="38"/>
        <source>In progress</source>
        <translation>در حال انجام</translation>
    </message>
    <message>
        <location filename="../../views/customer_file.py" line="39"/>
        <source>Closed</source>
        <translation>بسته</translation>
    </message>
    <message>
        <location filename="../../views/customer_file.py" line="304"/>
        <source>Customer file</source>
        <translation>پروندهٔ مشتری</translation>
    </message>
    <message>
        <location filename="../../views/customer_file.py" line="305"/>
        <source>This ticket has no contact or account.</source>
        <translation>این تیکت مخاطب یا حسابی ندارد.</translation>
    </message>
</context>
<context>
    <name>CustomerFileDialog</name>
    <message>
        <location filename="../../views/customer_file.py" line="64"/>
        <location filename="../../views/customer_file.py" line="166"/>
        <source>Customer file</source>
        <translation>پروندهٔ مشتری</translation>
    </message>
    <message>
        <location filename="../../views/customer_file.py" line="116"/>
        <source>Email</source>
        <translation>ایمیل</translation>
    </message>
    <message>
        <location filename="../../views/customer_file.py" line="117"/>
        <source>Phone</source>
        <translation>تلفن</translation>
    </message>
    <message>
        <location filename="../../views/customer_file.py" line="73"/>
        <source>Open ticket</source>
        <translation>باز کردن تیکت</translation>
    </message>
    <message>
        <location filename="../../views/customer_file.py" line="76"/>
        <source>New ticket for this customer</source>
        <translation>تیکت تازه برای این مشتری</translation>
    </message>
    <message>
        <location filename="../../views/customer_file.py" line="82"/>
        <source>Close</source>
        <translation>بستن</translation>
    </message>
    <message>
        <location filename="../../views/customer_file.py" line="124"/>
        <source>Number</source>
        <translation>شماره</translation>
    </message>
    <message>
        <location filename="../../views/customer_file.py" line="125"/>
        <source>Title</source>
        <translation>عنوان</translation>
    </message>
    <message>
        <location filename="../../views/customer_file.py" line="126"/>
        <source>Stage</source>
        <translation>مرحله</translation>
    </message>
    <message>
        <location filename="../../views/customer_file.py" line="127"/>
        <source>Team</source>
        <translation>تیم</translation>
    </message>
    <message>
        <location filename="../../views/customer_file.py" line="128"/>
        <source>Assignee</source>
        <translation>مسئول</translation>
    </message>
    <message>
        <location filename="../../views/customer_file.py" line="129"/>
        <source>Created</source>
        <translation>ایجاد</translation>
    </message>
    <message>
        <location filename="../../views/customer_file.py" line="130"/>
        <source>Updated</source>
        <translation>به‌روزرسانی</translation>
    </message>
    <message>
        <location filename="../../views/customer_file.py" line="167"/>
        <source>This customer&apos;s file could not be read: %1</source>
        <translation>پروندهٔ این مشتری خوانده نشد: %1</translation>
    </message>
    <message>
        <location filename="../../views/customer_file.py" line="176"/>
        <source>Contact</source>
        <translation>مخاطب</translation>
    </message>
    <message>
        <location filename="../../views/customer_file.py" line="176"/>
        <location filename="../../views/customer_file.py" line="182"/>
        <source>Account</source>
        <translation>حساب</translation>
    </message>
    <message>
        <location filename="../../views/customer_file.py" line="177"/>
        <source>Customer file: %1</source>
        <translation>پروندهٔ مشتری: %1</translation>
    </message>
    <message>
        <location filename="../../views/customer_file.py" line="184"/>
        <source>Account file</source>
        <translation>پروندهٔ حساب</translation>
    </message>
    <message>
        <location filename="../../views/customer_file.py" line="187"/>
        <source>Contacts</source>
        <translation>مخاطبان</translation>
    </message>
    <message>
        <location filename="../../views/customer_file.py" line="191"/>
        <source>%1 tickets, %2 open</source>
        <translation>%1 تیکت، %2 باز</translation>
    </message>
    <message>
        <location filename="../../views/customer_file.py" line="198"/>
        <source>pending</source>
        <translation>در انتظار</translation>
    </message>
    <message>
        <location filename="../../views/customer_file.py" line="202"/>
        <source>%1 (archived)</source>
        <translation>%1 (بایگانی)</translation>
    </message>
    <message>
        <location filename="../../views/customer_file.py" line="267"/>
        <source>New ticket</source>
        <translation>تیکت تازه</translation>
    </message>
    <message>
        <location filename="../../views/customer_file.py" line="268"/>
        <source>The ticket form is not available in this version.</source>
        <translation>فرم تیکت در این نسخه در دسترس نیست.</translation>
    </message>
</context>
<context>
    <name>Dashboard</name>
    <message>
        <location filename="../../views/dashboard_export.py" line="81"/>
        <source>%1 d %2 h</source>
        <translation>%1 روز و %2 ساعت</translation>
    </message>
    <message>
        <location filename="../../views/dashboard_export.py" line="87"/>
        <source>%1 h %2 min</source>
        <translation>%1 ساعت و %2 دقیقه</translation>
    </message>
    <message>
        <location filename="../../views/dashboard_export.py" line="91"/>
        <source>%1 min</source>
        <translation>%1 دقیقه</translation>
    </message>
    <message>
        <location filename="../../views/dashboard_export.py" line="97"/>
        <source>%1%</source>
        <translation>%1٪</translation>
    </message>
    <message>
        <location filename="../../views/dashboard_export.py" line="105"/>
        <source>90th percentile %1 · %2 tickets</source>
        <translation>صدک ۹۰: %1 · %2 تیکت</translation>
    </message>
    <message>
        <location filename="../../views/dashboard_export.py" line="122"/>
        <source>%1 of 5</source>
        <translation>%1 از ۵</translation>
    </message>
    <message>
        <location filename="../../views/dashboard_export.py" line="127"/>
        <source>%1 satisfied · %2 ratings</source>
        <translation>%1 راضی · %2 امتیاز</translation>
    </message>
    <message>
        <location filename="../../views/dashboard_export.py" line="133"/>
        <source>%1 of %2 verdicts</source>
        <translation>%1 از %2 نظر مشتری</translation>
    </message>
    <message>
        <location filename="../../views/dashboard_export.py" line="140"/>
        <location filename="../../views/dashboard_export.py" line="294"/>
        <location filename="../../views/dashboard_export.py" line="302"/>
        <source>Open tickets</source>
        <translation>تیکت‌های باز</translation>
    </message>
    <message>
        <location filename="../../views/dashboard_export.py" line="144"/>
        <source>Not closed and not archived, now.</source>
        <translation>اکنون باز و بایگانی‌نشده.</translation>
    </message>
    <message>
        <location filename="../../views/dashboard_export.py" line="148"/>
        <source>New today</source>
        <translation>جدید امروز</translation>
    </message>
    <message>
        <location filename="../../views/dashboard_export.py" line="152"/>
        <source>Created today (local time).</source>
        <translation>امروز ایجاد شده (به وقت محلی).</translation>
    </message>
    <message>
        <location filename="../../views/dashboard_export.py" line="156"/>
        <source>Closed today</source>
        <translation>بسته‌شده امروز</translation>
    </message>
    <message>
        <location filename="../../views/dashboard_export.py" line="160"/>
        <source>Closed today (local time).</source>
        <translation>امروز بسته شده (به وقت محلی).</translation>
    </message>
    <message>
        <location filename="../../views/dashboard_export.py" line="164"/>
        <source>Overdue (SLA)</source>
        <translation>دیرکرد (SLA)</translation>
    </message>
    <message>
        <location filename="../../views/dashboard_export.py" line="168"/>
        <source>Open tickets whose SLA due time has passed.</source>
        <translation>تیکت‌های بازی که موعد SLA آن‌ها گذشته است.</translation>
    </message>
    <message>
        <location filename="../../views/dashboard_export.py" line="172"/>
        <source>Not yet seen</source>
        <translation>هنوز دیده‌نشده</translation>
    </message>
    <message>
        <location filename="../../views/dashboard_export.py" line="176"/>
        <source>Open tickets no staff member has opened since the customer wrote.</source>
        <translation>تیکت‌های بازی که از آخرین پیام مشتری هنوز هیچ کارمندی آن‌ها را باز نکرده است.</translation>
    </message>
    <message>
        <location filename="../../views/dashboard_export.py" line="182"/>
        <source>Created in range</source>
        <translation>ایجادشده در بازه</translation>
    </message>
    <message>
        <location filename="../../views/dashboard_export.py" line="186"/>
        <source>Tickets created in the chosen days, archived ones included.</source>
        <translation>تیکت‌هایی که در روزهای انتخاب‌شده ایجاد شده‌اند، با بایگانی‌شده‌ها.</translation>
    </message>
    <message>
        <location filename="../../views/dashboard_export.py" line="192"/>
        <source>Closed in range</source>
        <translation>بسته‌شده در بازه</translation>
    </message>
    <message>
        <location filename="../../views/dashboard_export.py" line="196"/>
        <source>Tickets closed in the chosen days.</source>
        <translation>تیکت‌هایی که در روزهای انتخاب‌شده بسته شده‌اند.</translation>
    </message>
    <message>
        <location filename="../../views/dashboard_export.py" line="200"/>
        <source>First response (median)</source>
        <translation>اولین پاسخ (میانه)</translation>
    </message>
    <message>
        <location filename="../../views/dashboard_export.py" line="204"/>
        <source>From creation to the first agent reply, tickets created in range.</source>
        <translation>از ایجاد تا اولین پاسخ کارشناس، برای تیکت‌های ایجادشده در بازه.</translation>
    </message>
    <message>
        <location filename="../../views/dashboard_export.py" line="210"/>
        <source>Resolution (median)</source>
        <translation>حل (میانه)</translation>
    </message>
    <message>
        <location filename="../../views/dashboard_export.py" line="214"/>
        <source>From creation to closing, tickets closed in range.</source>
        <translation>از ایجاد تا بسته‌شدن، برای تیکت‌های بسته‌شده در بازه.</translation>
    </message>
    <message>
        <location filename="../../views/dashboard_export.py" line="220"/>
        <source>Satisfaction</source>
        <translation>رضایت</translation>
    </message>
    <message>
        <location filename="../../views/dashboard_export.py" line="224"/>
        <source>Customers&apos; ratings (1 to 5) of tickets created in range.</source>
        <translation>امتیاز مشتریان (۱ تا ۵) به تیکت‌های ایجادشده در بازه.</translation>
    </message>
    <message>
        <location filename="../../views/dashboard_export.py" line="230"/>
        <source>Reopen rate</source>
        <translation>نرخ بازگشایی</translation>
    </message>
    <message>
        <location filename="../../views/dashboard_export.py" line="234"/>
        <source>Of the verdicts on tickets created in range, the share &quot;not resolved&quot;.</source>
        <translation>از نظرهای مشتریان درباره تیکت‌های ایجادشده در بازه، سهم «حل نشد».</translation>
    </message>
    <message>
        <location filename="../../views/dashboard_export.py" line="247"/>
        <source>%1 to %2</source>
        <translation>%1 تا %2</translation>
    </message>
    <message>
        <location filename="../../views/dashboard_export.py" line="256"/>
        <source>No team</source>
        <translation>بدون تیم</translation>
    </message>
    <message>
        <location filename="../../views/dashboard_export.py" line="260"/>
        <source>No stage</source>
        <translation>بدون مرحله</translation>
    </message>
    <message>
        <location filename="../../views/dashboard_export.py" line="269"/>
        <source>Dashboard</source>
        <translation>داشبورد</translation>
    </message>
    <message>
        <location filename="../../views/dashboard_export.py" line="274"/>
        <location filename="../../views/dashboard_export.py" line="385"/>
        <source>Figure</source>
        <translation>شاخص</translation>
    </message>
    <message>
        <location filename="../../views/dashboard_export.py" line="275"/>
        <location filename="../../views/dashboard_export.py" line="386"/>
        <source>Value</source>
        <translation>مقدار</translation>
    </message>
    <message>
        <location filename="../../views/dashboard_export.py" line="276"/>
        <source>90th percentile</source>
        <translation>صدک ۹۰</translation>
    </message>
    <message>
        <location filename="../../views/dashboard_export.py" line="287"/>
        <source>%1, seconds</source>
        <translation>%1، ثانیه</translation>
    </message>
    <message>
        <location filename="../../views/dashboard_export.py" line="292"/>
        <source>Team</source>
        <translation>تیم</translation>
    </message>
    <message>
        <location filename="../../views/dashboard_export.py" line="293"/>
        <source>Stage</source>
        <translation>مرحله</translation>
    </message>
    <message>
        <location filename="../../views/dashboard_export.py" line="301"/>
        <source>Priority</source>
        <translation>اولویت</translation>
    </message>
    <message>
        <location filename="../../views/dashboard_export.py" line="309"/>
        <location filename="../../views/dashboard_export.py" line="418"/>
        <source>Day</source>
        <translation>روز</translation>
    </message>
    <message>
        <location filename="../../views/dashboard_export.py" line="310"/>
        <source>Jalali day</source>
        <translation>روز شمسی</translation>
    </message>
    <message>
        <location filename="../../views/dashboard_export.py" line="311"/>
        <location filename="../../views/dashboard_export.py" line="419"/>
        <source>Created</source>
        <translation>ایجادشده</translation>
    </message>
    <message>
        <location filename="../../views/dashboard_export.py" line="312"/>
        <location filename="../../views/dashboard_export.py" line="420"/>
        <source>Closed</source>
        <translation>بسته‌شده</translation>
    </message>
    <message>
        <location filename="../../views/dashboard_export.py" line="322"/>
        <location filename="../../views/dashboard_export.py" line="398"/>
        <location filename="../../views/dashboard_export.py" line="432"/>
        <source>Agent</source>
        <translation>کارشناس</translation>
    </message>
    <message>
        <location filename="../../views/dashboard_export.py" line="323"/>
        <location filename="../../views/dashboard_export.py" line="399"/>
        <source>Open</source>
        <translation>باز</translation>
    </message>
    <message>
        <location filename="../../views/dashboard_export.py" line="324"/>
        <location filename="../../views/dashboard_export.py" line="400"/>
        <source>Total</source>
        <translation>کل</translation>
    </message>
    <message>
        <location filename="../../views/dashboard_export.py" line="325"/>
        <location filename="../../views/dashboard_export.py" line="401"/>
        <source>On leave now</source>
        <translation>اکنون در مرخصی</translation>
    </message>
    <message>
        <location filename="../../views/dashboard_export.py" line="333"/>
        <location filename="../../views/dashboard_export.py" line="408"/>
        <source>Yes</source>
        <translation>بله</translation>
    </message>
    <message>
        <location filename="../../views/dashboard_export.py" line="340"/>
        <location filename="../../views/dashboard_export.py" line="427"/>
        <source>Agents on leave</source>
        <translation>کارشناسان در مرخصی</translation>
    </message>
    <message>
        <location filename="../../views/dashboard_export.py" line="341"/>
        <location filename="../../views/dashboard_export.py" line="433"/>
        <source>From</source>
        <translation>از</translation>
    </message>
    <message>
        <location filename="../../views/dashboard_export.py" line="342"/>
        <location filename="../../views/dashboard_export.py" line="434"/>
        <source>To</source>
        <translation>تا</translation>
    </message>
    <message>
        <location filename="../../views/dashboard_export.py" line="381"/>
        <location filename="../../views/dashboard_export.py" line="466"/>
        <source>Supervisors dashboard</source>
        <translation>داشبورد سرپرستان</translation>
    </message>
    <message>
        <location filename="../../views/dashboard_export.py" line="387"/>
        <source>Detail</source>
        <translation>جزئیات</translation>
    </message>
    <message>
        <location filename="../../views/dashboard_export.py" line="394"/>
        <source>Agent workload</source>
        <translation>بار کاری کارشناسان</translation>
    </message>
    <message>
        <location filename="../../views/dashboard_export.py" line="414"/>
        <source>Tickets per day</source>
        <translation>تیکت‌ها در هر روز</translation>
    </message>
    <message>
        <location filename="../../views/dashboard_export.py" line="480"/>
        <source>The PDF report could not be written.</source>
        <translation>گزارش PDF نوشته نشد.</translation>
    </message>
</context>
<context>
    <name>DashboardLauncher</name>
    <message>
        <location filename="../../views/dashboard.py" line="692"/>
        <source>&amp;Reports</source>
        <translation>&amp;گزارش‌ها</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="695"/>
        <source>&amp;Dashboard</source>
        <translation>&amp;داشبورد</translation>
    </message>
</context>
<context>
    <name>DashboardWindow</name>
    <message>
        <location filename="../../views/dashboard.py" line="182"/>
        <source>Supervisors dashboard</source>
        <translation>داشبورد سرپرستان</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="189"/>
        <source>All teams</source>
        <translation>همه تیم‌ها</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="192"/>
        <source>All agents</source>
        <translation>همه کارشناسان</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="198"/>
        <source>Refresh</source>
        <translation>تازه‌سازی</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="199"/>
        <source>Export CSV…</source>
        <translation>خروجی CSV…</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="200"/>
        <source>Export PDF…</source>
        <translation>خروجی PDF…</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="212"/>
        <location filename="../../views/dashboard.py" line="273"/>
        <source>From</source>
        <translation>از</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="214"/>
        <location filename="../../views/dashboard.py" line="273"/>
        <source>To</source>
        <translation>تا</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="217"/>
        <source>7 days</source>
        <translation>۷ روز</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="218"/>
        <source>30 days</source>
        <translation>۳۰ روز</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="219"/>
        <source>A year</source>
        <translation>یک سال</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="226"/>
        <source>Team</source>
        <translation>تیم</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="228"/>
        <location filename="../../views/dashboard.py" line="269"/>
        <source>Agent</source>
        <translation>کارشناس</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="269"/>
        <location filename="../../views/dashboard.py" line="517"/>
        <source>Open</source>
        <translation>باز</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="269"/>
        <source>Total</source>
        <translation>کل</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="269"/>
        <source>On leave now</source>
        <translation>اکنون در مرخصی</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="273"/>
        <source>Agents on leave</source>
        <translation>کارشناسان در مرخصی</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="371"/>
        <source>The range ends before it starts: pick the days again.</source>
        <translation>پایان بازه پیش از آغاز آن است: روزها را دوباره انتخاب کنید.</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="375"/>
        <source>Counting…</source>
        <translation>در حال شمارش…</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="399"/>
        <source>The figures could not be counted: %1</source>
        <translation>شمارش شاخص‌ها ممکن نشد: %1</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="412"/>
        <source>%1 · counted from this computer&apos;s copy of the tickets</source>
        <translation>%1 · شمرده از نسخه تیکت‌ها روی همین رایانه</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="450"/>
        <source>No team</source>
        <translation>بدون تیم</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="455"/>
        <location filename="../../views/dashboard.py" line="465"/>
        <source>No stage</source>
        <translation>بدون مرحله</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="471"/>
        <source>Open tickets by stage, per team</source>
        <translation>تیکت‌های باز بر پایه مرحله، در هر تیم</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="479"/>
        <source>Open tickets by priority</source>
        <translation>تیکت‌های باز بر پایه اولویت</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="483"/>
        <source>Open tickets</source>
        <translation>تیکت‌های باز</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="491"/>
        <source>Created and closed per day</source>
        <translation>ایجادشده و بسته‌شده در هر روز</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="495"/>
        <source>Created</source>
        <translation>ایجادشده</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="500"/>
        <source>Closed</source>
        <translation>بسته‌شده</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="512"/>
        <source>Agent workload (open and total)</source>
        <translation>بار کاری کارشناسان (باز و کل)</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="514"/>
        <source>(on leave)</source>
        <translation>(در مرخصی)</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="520"/>
        <source>Closed or archived</source>
        <translation>بسته یا بایگانی‌شده</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="534"/>
        <source>Yes</source>
        <translation>بله</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="636"/>
        <source>Could not write %1: %2</source>
        <translation>نوشتن %1 ممکن نشد: %2</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="651"/>
        <source>Export CSV</source>
        <translation>خروجی CSV</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="651"/>
        <source>CSV files (*.csv)</source>
        <translation>پرونده‌های CSV (*.csv)</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="659"/>
        <source>Export PDF</source>
        <translation>خروجی PDF</translation>
    </message>
    <message>
        <location filename="../../views/dashboard.py" line="659"/>
        <source>PDF files (*.pdf)</source>
        <translation>پرونده‌های PDF (*.pdf)</translation>
    </message>
</context>
<context>
    <name>Formatting</name>
    <message>
        <location filename="../../formatting.py" line="65"/>
        <source>just now</source>
        <translation>همین حالا</translation>
    </message>
    <message>
        <location filename="../../formatting.py" line="67"/>
        <source>in a moment</source>
        <translation>چند لحظهٔ دیگر</translation>
    </message>
    <message numerus="yes">
        <location filename="../../formatting.py" line="72"/>
        <source>%Ln minute(s) ago</source>
        <translation>
            <numerusform>%Ln دقیقه پیش</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../formatting.py" line="74"/>
        <source>%Ln hour(s) ago</source>
        <translation>
            <numerusform>%Ln ساعت پیش</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../formatting.py" line="76"/>
        <source>%Ln day(s) ago</source>
        <translation>
            <numerusform>%Ln روز پیش</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../formatting.py" line="78"/>
        <source>%Ln month(s) ago</source>
        <translation>
            <numerusform>%Ln ماه پیش</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../formatting.py" line="81"/>
        <source>%Ln year(s) ago</source>
        <translation>
            <numerusform>%Ln سال پیش</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../formatting.py" line="83"/>
        <source>in %Ln minute(s)</source>
        <translation>
            <numerusform>%Ln دقیقهٔ دیگر</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../formatting.py" line="85"/>
        <source>in %Ln hour(s)</source>
        <translation>
            <numerusform>%Ln ساعت دیگر</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../formatting.py" line="86"/>
        <source>in %Ln day(s)</source>
        <translation>
            <numerusform>%Ln روز دیگر</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../formatting.py" line="98"/>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
</context>
<context>
    <name>JalaliDateEdit</name>
    <message>
        <location filename="../../views/form_fields.py" line="74"/>
        <source>Pick a date</source>
        <translation>انتخاب تاریخ</translation>
    </message>
</context>
<context>
    <name>KanbanWindow</name>
    <message>
        <location filename="../../views/kanban.py" line="154"/>
        <source>Click to fold this stage</source>
        <translation>برای جمع کردن این مرحله کلیک کنید</translation>
    </message>
    <message>
        <location filename="../../views/kanban.py" line="161"/>
        <source>Folded stage: click to unfold</source>
        <translation>مرحلهٔ جمع‌شده: برای باز کردن کلیک کنید</translation>
    </message>
    <message>
        <location filename="../../views/kanban.py" line="205"/>
        <location filename="../../views/kanban.py" line="222"/>
        <source>Board</source>
        <translation>تابلو</translation>
    </message>
    <message>
        <location filename="../../views/kanban.py" line="225"/>
        <source>Team:</source>
        <translation>تیم:</translation>
    </message>
    <message>
        <location filename="../../views/kanban.py" line="227"/>
        <source>Refresh</source>
        <translation>تازه‌سازی</translation>
    </message>
    <message>
        <location filename="../../views/kanban.py" line="287"/>
        <source>Board: %1</source>
        <translation>تابلوی %1</translation>
    </message>
    <message>
        <location filename="../../views/kanban.py" line="328"/>
        <source>Moved %1 tickets</source>
        <translation>%1 تیکت جابه‌جا شد</translation>
    </message>
    <message>
        <location filename="../../views/kanban.py" line="338"/>
        <source>Not moved</source>
        <translation>جابه‌جا نشد</translation>
    </message>
    <message>
        <location filename="../../views/kanban.py" line="357"/>
        <source>Could not save</source>
        <translation>ذخیره نشد</translation>
    </message>
    <message>
        <location filename="../../views/kanban.py" line="358"/>
        <source>The move could not be saved in the local cache:
%1</source>
        <translation>جابه‌جایی در حافظهٔ محلی ذخیره نشد:
%1</translation>
    </message>
    <message>
        <location filename="../../views/kanban.py" line="380"/>
        <source>&amp;Board</source>
        <translation>&amp;تابلو</translation>
    </message>
</context>
<context>
    <name>KbSearchDialog</name>
    <message>
        <location filename="../../views/composer.py" line="60"/>
        <source>Insert from the knowledge base</source>
        <translation>درج از پایگاه دانش</translation>
    </message>
    <message>
        <location filename="../../views/composer.py" line="66"/>
        <source>Search articles</source>
        <translation>جستجوی مقاله‌ها</translation>
    </message>
    <message>
        <location filename="../../views/composer.py" line="75"/>
        <source>Insert</source>
        <translation>درج</translation>
    </message>
    <message>
        <location filename="../../views/composer.py" line="78"/>
        <source>Cancel</source>
        <translation>انصراف</translation>
    </message>
    <message>
        <location filename="../../views/composer.py" line="121"/>
        <source>No article matches.</source>
        <translation>مقاله‌ای پیدا نشد.</translation>
    </message>
</context>
<context>
    <name>LeadDialog</name>
    <message>
        <location filename="../../views/lead_dialog.py" line="53"/>
        <source>The salesperson is not a member of this sales team.</source>
        <translation>این فروشنده عضو این تیم فروش نیست.</translation>
    </message>
    <message>
        <location filename="../../views/lead_dialog.py" line="57"/>
        <location filename="../../views/lead_dialog.py" line="346"/>
        <source>Write the new customer&apos;s name.</source>
        <translation>نام مشتری تازه را بنویسید.</translation>
    </message>
    <message>
        <location filename="../../views/lead_dialog.py" line="60"/>
        <source>The name is longer than 200 characters.</source>
        <translation>نام بلندتر از ۲۰۰ نویسه است.</translation>
    </message>
    <message>
        <location filename="../../views/lead_dialog.py" line="63"/>
        <location filename="../../views/lead_dialog.py" line="352"/>
        <source>Search and pick a contact or an account.</source>
        <translation>یک مخاطب یا حساب را جست‌وجو و انتخاب کنید.</translation>
    </message>
    <message>
        <location filename="../../views/lead_dialog.py" line="66"/>
        <source>That contact is no longer in the cache.</source>
        <translation>این مخاطب دیگر در حافظهٔ محلی نیست.</translation>
    </message>
    <message>
        <location filename="../../views/lead_dialog.py" line="69"/>
        <source>That account is no longer in the cache.</source>
        <translation>این حساب دیگر در حافظهٔ محلی نیست.</translation>
    </message>
    <message>
        <location filename="../../views/lead_dialog.py" line="72"/>
        <source>That contact belongs to another account.</source>
        <translation>این مخاطب به حساب دیگری تعلق دارد.</translation>
    </message>
    <message>
        <location filename="../../views/lead_dialog.py" line="75"/>
        <source>That sales team is no longer in the cache.</source>
        <translation>این تیم فروش دیگر در حافظهٔ محلی نیست.</translation>
    </message>
    <message>
        <location filename="../../views/lead_dialog.py" line="78"/>
        <source>The salesperson is not an active staff user.</source>
        <translation>این فروشنده کاربر فعال کارکنان نیست.</translation>
    </message>
    <message>
        <location filename="../../views/lead_dialog.py" line="81"/>
        <source>This ticket is already converted to a lead.</source>
        <translation>این تیکت پیش‌تر به سرنخ فروش تبدیل شده است.</translation>
    </message>
    <message>
        <location filename="../../views/lead_dialog.py" line="84"/>
        <source>This ticket is merged into another.</source>
        <translation>این تیکت در تیکت دیگری ادغام شده است.</translation>
    </message>
    <message>
        <location filename="../../views/lead_dialog.py" line="87"/>
        <source>This ticket is archived.</source>
        <translation>این تیکت بایگانی شده است.</translation>
    </message>
    <message>
        <location filename="../../views/lead_dialog.py" line="88"/>
        <location filename="../../views/lead_dialog.py" line="91"/>
        <source>This ticket is no longer in the cache.</source>
        <translation>این تیکت دیگر در حافظهٔ محلی نیست.</translation>
    </message>
    <message>
        <location filename="../../views/lead_dialog.py" line="109"/>
        <source>Convert to lead</source>
        <translation>تبدیل به سرنخ فروش</translation>
    </message>
    <message>
        <location filename="../../views/lead_dialog.py" line="117"/>
        <source>Loading…</source>
        <translation>در حال بارگذاری…</translation>
    </message>
    <message>
        <location filename="../../views/lead_dialog.py" line="130"/>
        <source>Convert</source>
        <translation>تبدیل</translation>
    </message>
    <message>
        <location filename="../../views/lead_dialog.py" line="133"/>
        <source>Cancel</source>
        <translation>انصراف</translation>
    </message>
    <message>
        <location filename="../../views/lead_dialog.py" line="155"/>
        <source>Create a new customer from the ticket&apos;s contact</source>
        <translation>ساختن مشتری تازه از مخاطب تیکت</translation>
    </message>
    <message>
        <location filename="../../views/lead_dialog.py" line="157"/>
        <source>Link to an existing customer</source>
        <translation>پیوند به مشتری موجود</translation>
    </message>
    <message>
        <location filename="../../views/lead_dialog.py" line="159"/>
        <source>No customer</source>
        <translation>بدون مشتری</translation>
    </message>
    <message>
        <location filename="../../views/lead_dialog.py" line="168"/>
        <source>The new customer&apos;s name</source>
        <translation>نام مشتری تازه</translation>
    </message>
    <message>
        <location filename="../../views/lead_dialog.py" line="175"/>
        <source>Search a contact or account by name, email or mobile</source>
        <translation>جست‌وجوی مخاطب یا حساب با نام، ایمیل یا موبایل</translation>
    </message>
    <message>
        <location filename="../../views/lead_dialog.py" line="183"/>
        <source>No customer picked yet.</source>
        <translation>هنوز مشتری‌ای انتخاب نشده است.</translation>
    </message>
    <message>
        <location filename="../../views/lead_dialog.py" line="187"/>
        <source>Customer</source>
        <translation>مشتری</translation>
    </message>
    <message>
        <location filename="../../views/lead_dialog.py" line="191"/>
        <source>Name</source>
        <translation>نام</translation>
    </message>
    <message>
        <location filename="../../views/lead_dialog.py" line="192"/>
        <source>Email</source>
        <translation>ایمیل</translation>
    </message>
    <message>
        <location filename="../../views/lead_dialog.py" line="208"/>
        <source>Sales</source>
        <translation>فروش</translation>
    </message>
    <message>
        <location filename="../../views/lead_dialog.py" line="210"/>
        <source>Sales team</source>
        <translation>تیم فروش</translation>
    </message>
    <message>
        <location filename="../../views/lead_dialog.py" line="211"/>
        <source>Salesperson</source>
        <translation>فروشنده</translation>
    </message>
    <message>
        <location filename="../../views/lead_dialog.py" line="245"/>
        <source>pending</source>
        <translation>در انتظار</translation>
    </message>
    <message>
        <location filename="../../views/lead_dialog.py" line="247"/>
        <source>Ticket %1 — %2</source>
        <translation>تیکت %1 — %2</translation>
    </message>
    <message>
        <location filename="../../views/lead_dialog.py" line="256"/>
        <source>(no sales team)</source>
        <translation>(بدون تیم فروش)</translation>
    </message>
    <message>
        <location filename="../../views/lead_dialog.py" line="294"/>
        <source>Linked to: %1</source>
        <translation>پیوند به: %1</translation>
    </message>
    <message>
        <location filename="../../views/lead_dialog.py" line="312"/>
        <source>(no salesperson)</source>
        <translation>(بدون فروشنده)</translation>
    </message>
    <message>
        <location filename="../../views/lead_dialog.py" line="385"/>
        <source>The conversion could not be saved in the local cache:
%1</source>
        <translation>تبدیل در حافظهٔ محلی ذخیره نشد:
%1</translation>
    </message>
</context>
<context>
    <name>LeadView</name>
    <message>
        <location filename="../../views/lead_view.py" line="32"/>
        <source>Lead</source>
        <translation>سرنخ فروش</translation>
    </message>
    <message>
        <location filename="../../views/lead_view.py" line="37"/>
        <source>Loading…</source>
        <translation>در حال بارگذاری…</translation>
    </message>
    <message>
        <location filename="../../views/lead_view.py" line="45"/>
        <source>Sales team</source>
        <translation>تیم فروش</translation>
    </message>
    <message>
        <location filename="../../views/lead_view.py" line="46"/>
        <source>Salesperson</source>
        <translation>فروشنده</translation>
    </message>
    <message>
        <location filename="../../views/lead_view.py" line="47"/>
        <source>Customer</source>
        <translation>مشتری</translation>
    </message>
    <message>
        <location filename="../../views/lead_view.py" line="48"/>
        <source>Account</source>
        <translation>حساب</translation>
    </message>
    <message>
        <location filename="../../views/lead_view.py" line="49"/>
        <source>From ticket</source>
        <translation>از تیکت</translation>
    </message>
    <message>
        <location filename="../../views/lead_view.py" line="50"/>
        <source>Created</source>
        <translation>ساخته‌شده در</translation>
    </message>
    <message>
        <location filename="../../views/lead_view.py" line="51"/>
        <source>Sync</source>
        <translation>همگام‌سازی</translation>
    </message>
    <message>
        <location filename="../../views/lead_view.py" line="64"/>
        <source>Close</source>
        <translation>بستن</translation>
    </message>
    <message>
        <location filename="../../views/lead_view.py" line="86"/>
        <source>This lead is not in the cache.</source>
        <translation>این سرنخ در حافظهٔ محلی نیست.</translation>
    </message>
    <message>
        <location filename="../../views/lead_view.py" line="93"/>
        <source>—</source>
        <translation>—</translation>
    </message>
    <message>
        <location filename="../../views/lead_view.py" line="95"/>
        <source>Lead: %1</source>
        <translation>سرنخ فروش: %1</translation>
    </message>
    <message>
        <location filename="../../views/lead_view.py" line="107"/>
        <source>pending</source>
        <translation>در انتظار</translation>
    </message>
    <message>
        <location filename="../../views/lead_view.py" line="117"/>
        <source>On the server</source>
        <translation>روی سرور</translation>
    </message>
    <message>
        <location filename="../../views/lead_view.py" line="117"/>
        <source>Not yet synced</source>
        <translation>هنوز همگام نشده</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <location filename="../../views/login_dialog.py" line="59"/>
        <source>Sign in to Helpdesk</source>
        <translation>ورود به میز پشتیبانی</translation>
    </message>
    <message>
        <location filename="../../views/login_dialog.py" line="86"/>
        <source>Server address</source>
        <translation>نشانی سرور</translation>
    </message>
    <message>
        <location filename="../../views/login_dialog.py" line="87"/>
        <source>User name</source>
        <translation>نام کاربری</translation>
    </message>
    <message>
        <location filename="../../views/login_dialog.py" line="88"/>
        <source>Password</source>
        <translation>گذرواژه</translation>
    </message>
    <message>
        <location filename="../../views/login_dialog.py" line="91"/>
        <source>Sign in</source>
        <translation>ورود</translation>
    </message>
    <message>
        <location filename="../../views/login_dialog.py" line="97"/>
        <source>Work offline</source>
        <translation>کار بدون اتصال</translation>
    </message>
    <message>
        <location filename="../../views/login_dialog.py" line="135"/>
        <source>Enter the server&apos;s address.</source>
        <translation>نشانی سرور را وارد کنید.</translation>
    </message>
    <message>
        <location filename="../../views/login_dialog.py" line="138"/>
        <source>Enter your user name.</source>
        <translation>نام کاربری خود را وارد کنید.</translation>
    </message>
    <message>
        <location filename="../../views/login_dialog.py" line="141"/>
        <source>Enter your password.</source>
        <translation>گذرواژهٔ خود را وارد کنید.</translation>
    </message>
    <message>
        <location filename="../../views/login_dialog.py" line="144"/>
        <source>Signing in…</source>
        <translation>در حال ورود…</translation>
    </message>
    <message>
        <location filename="../../views/login_dialog.py" line="158"/>
        <source>The user name or password is wrong. Check them and try again.</source>
        <translation>نام کاربری یا گذرواژه نادرست است. آن‌ها را بررسی کنید و دوباره بکوشید.</translation>
    </message>
    <message>
        <location filename="../../views/login_dialog.py" line="166"/>
        <source>Cannot reach the server at %1. Check the address and your network, or work offline.</source>
        <translation>به سرور در %1 دسترسی نیست. نشانی و شبکهٔ خود را بررسی کنید، یا بدون اتصال کار کنید.</translation>
    </message>
    <message>
        <location filename="../../views/login_dialog.py" line="179"/>
        <source>The server refused to sign you in: %1</source>
        <translation>سرور ورود شما را نپذیرفت: %1</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../self_test.py" line="88"/>
        <location filename="../../self_test.py" line="168"/>
        <location filename="../../views/main_window.py" line="69"/>
        <source>Helpdesk</source>
        <translation>میز پشتیبانی</translation>
    </message>
    <message>
        <location filename="../../views/main_window.py" line="78"/>
        <source>Search tickets (Ctrl+F)</source>
        <translation>جستجوی درخواست‌ها (Ctrl+F)</translation>
    </message>
    <message>
        <location filename="../../views/main_window.py" line="102"/>
        <source>Signed in as %1</source>
        <translation>کاربر: %1</translation>
    </message>
    <message>
        <location filename="../../views/main_window.py" line="278"/>
        <source>%1 tickets</source>
        <translation>%1 درخواست</translation>
    </message>
</context>
<context>
    <name>MergeDialog</name>
    <message>
        <location filename="../../views/merge_dialog.py" line="51"/>
        <source>One of the tickets is already merged into another.</source>
        <translation>یکی از تیکت‌ها پیش‌تر در تیکت دیگری ادغام شده است.</translation>
    </message>
    <message>
        <location filename="../../views/merge_dialog.py" line="54"/>
        <source>One of the tickets is archived; restore it first.</source>
        <translation>یکی از تیکت‌ها بایگانی شده است؛ نخست آن را بازگردانید.</translation>
    </message>
    <message>
        <location filename="../../views/merge_dialog.py" line="57"/>
        <source>Select at least two tickets to merge.</source>
        <translation>برای ادغام دست‌کم دو تیکت انتخاب کنید.</translation>
    </message>
    <message>
        <location filename="../../views/merge_dialog.py" line="60"/>
        <source>A ticket cannot be merged into itself.</source>
        <translation>یک تیکت را نمی‌توان در خودش ادغام کرد.</translation>
    </message>
    <message>
        <location filename="../../views/merge_dialog.py" line="63"/>
        <source>One of the tickets is no longer in the cache.</source>
        <translation>یکی از تیکت‌ها دیگر در حافظهٔ محلی نیست.</translation>
    </message>
    <message>
        <location filename="../../views/merge_dialog.py" line="66"/>
        <source>An agent replied on this ticket after the merge, so it can no longer be undone.</source>
        <translation>پس از ادغام به این تیکت پاسخ داده شده است، پس ادغام دیگر برگشت‌پذیر نیست.</translation>
    </message>
    <message>
        <location filename="../../views/merge_dialog.py" line="70"/>
        <source>These tickets were merged again since, so this merge can no longer be undone.</source>
        <translation>این تیکت‌ها پس از آن دوباره ادغام شده‌اند، پس این ادغام دیگر برگشت‌پذیر نیست.</translation>
    </message>
    <message>
        <location filename="../../views/merge_dialog.py" line="74"/>
        <source>No merge into this ticket was made here to undo.</source>
        <translation>ادغامی در این تیکت در این رایانه انجام نشده که برگردانده شود.</translation>
    </message>
    <message>
        <location filename="../../views/merge_dialog.py" line="115"/>
        <source>Merge tickets</source>
        <translation>ادغام تیکت‌ها</translation>
    </message>
    <message>
        <location filename="../../views/merge_dialog.py" line="120"/>
        <source>Everything of the other tickets moves into the kept one; they are archived as merged. Untick a ticket that is not a duplicate.</source>
        <translation>همهٔ محتوای تیکت‌های دیگر به تیکت نگه‌داشته منتقل می‌شود و آن‌ها به‌عنوان ادغام‌شده بایگانی می‌شوند. تیک تیکتی را که تکراری نیست بردارید.</translation>
    </message>
    <message>
        <location filename="../../views/merge_dialog.py" line="131"/>
        <location filename="../../views/merge_dialog.py" line="167"/>
        <source>Merge</source>
        <translation>ادغام</translation>
    </message>
    <message>
        <location filename="../../views/merge_dialog.py" line="131"/>
        <source>Number</source>
        <translation>شماره</translation>
    </message>
    <message>
        <location filename="../../views/merge_dialog.py" line="131"/>
        <source>Title</source>
        <translation>عنوان</translation>
    </message>
    <message>
        <location filename="../../views/merge_dialog.py" line="131"/>
        <source>Similarity</source>
        <translation>شباهت</translation>
    </message>
    <message>
        <location filename="../../views/merge_dialog.py" line="150"/>
        <source>Ticket to keep:</source>
        <translation>تیکتی که می‌ماند:</translation>
    </message>
    <message>
        <location filename="../../views/merge_dialog.py" line="172"/>
        <source>Discard</source>
        <translation>انصراف</translation>
    </message>
    <message>
        <location filename="../../views/merge_dialog.py" line="226"/>
        <source>pending</source>
        <translation>در انتظار</translation>
    </message>
    <message>
        <location filename="../../views/merge_dialog.py" line="255"/>
        <source>kept</source>
        <translation>نگه‌داشته</translation>
    </message>
    <message>
        <location filename="../../views/merge_dialog.py" line="267"/>
        <source>Moves into the kept ticket: %1 messages, %2 attachments, %3 followers, %4 contacts.</source>
        <translation>به تیکت نگه‌داشته منتقل می‌شود: %1 پیام، %2 پیوست، %3 دنبال‌کننده، %4 مخاطب.</translation>
    </message>
    <message>
        <location filename="../../views/merge_dialog.py" line="287"/>
        <source>The merge could not be saved in the local cache:
%1</source>
        <translation>ادغام در حافظهٔ محلی ذخیره نشد:
%1</translation>
    </message>
    <message>
        <location filename="../../views/merge_dialog.py" line="337"/>
        <source>Merge…</source>
        <translation>ادغام…</translation>
    </message>
    <message>
        <location filename="../../views/merge_dialog.py" line="340"/>
        <source>Find duplicates</source>
        <translation>یافتن تکراری‌ها</translation>
    </message>
    <message>
        <location filename="../../views/merge_dialog.py" line="343"/>
        <source>Undo merge</source>
        <translation>برگرداندن ادغام</translation>
    </message>
    <message>
        <location filename="../../views/merge_dialog.py" line="346"/>
        <source>Merge the selected tickets into one</source>
        <translation>ادغام تیکت‌های انتخاب‌شده در یک تیکت</translation>
    </message>
    <message>
        <location filename="../../views/merge_dialog.py" line="349"/>
        <source>Look for tickets that duplicate this one</source>
        <translation>جست‌وجوی تیکت‌هایی که تکرار این تیکت‌اند</translation>
    </message>
    <message>
        <location filename="../../views/merge_dialog.py" line="384"/>
        <source>Put the tickets merged into this one back as they were</source>
        <translation>بازگرداندن تیکت‌های ادغام‌شده در این تیکت به حال پیشین</translation>
    </message>
    <message>
        <location filename="../../views/merge_dialog.py" line="419"/>
        <source>No likely duplicates of this ticket were found.</source>
        <translation>تیکت تکراری محتملی برای این تیکت پیدا نشد.</translation>
    </message>
    <message>
        <location filename="../../views/merge_dialog.py" line="440"/>
        <source>Merge undone: %1 tickets restored</source>
        <translation>ادغام برگردانده شد: %1 تیکت بازگشت</translation>
    </message>
    <message>
        <location filename="../../views/merge_dialog.py" line="448"/>
        <source>Merge not undone</source>
        <translation>ادغام برگردانده نشد</translation>
    </message>
    <message>
        <location filename="../../views/merge_dialog.py" line="459"/>
        <source>%1 tickets merged</source>
        <translation>%1 تیکت ادغام شد</translation>
    </message>
</context>
<context>
    <name>Notifier</name>
    <message>
        <location filename="../../notifications.py" line="38"/>
        <source>Helpdesk</source>
        <translation>میز پشتیبانی</translation>
    </message>
    <message>
        <location filename="../../notifications.py" line="60"/>
        <source>#%1: %2</source>
        <translation>#%1: %2</translation>
    </message>
    <message numerus="yes">
        <location filename="../../notifications.py" line="72"/>
        <source>%Ln new ticket(s) in your queues</source>
        <translation>
            <numerusform>%Ln درخواست تازه در صف‌های شما</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../notifications.py" line="77"/>
        <source>%Ln new customer reply(s)</source>
        <translation>
            <numerusform>%Ln پاسخ تازه از مشتری</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../notifications.py" line="88"/>
        <source>and %Ln more</source>
        <translation>
            <numerusform>و %Ln مورد دیگر</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>PriorityPage</name>
    <message>
        <location filename="../../views/settings_priority.py" line="44"/>
        <source>Priority by severity (rows) and impact (columns)</source>
        <translation>اولویت بر پایهٔ شدت (سطرها) و اثر (ستون‌ها)</translation>
    </message>
    <message>
        <location filename="../../views/settings_priority.py" line="62"/>
        <source>Save the matrix</source>
        <translation>ذخیرهٔ جدول</translation>
    </message>
    <message>
        <location filename="../../views/settings_priority.py" line="69"/>
        <source>SLA targets per priority</source>
        <translation>اهداف SLA برای هر اولویت</translation>
    </message>
    <message>
        <location filename="../../views/settings_priority.py" line="71"/>
        <source>First response</source>
        <translation>نخستین پاسخ</translation>
    </message>
    <message>
        <location filename="../../views/settings_priority.py" line="72"/>
        <source>Resolution</source>
        <translation>حل</translation>
    </message>
    <message>
        <location filename="../../views/settings_priority.py" line="80"/>
        <source>minutes</source>
        <translation>دقیقه</translation>
    </message>
    <message>
        <location filename="../../views/settings_priority.py" line="84"/>
        <source>Save the targets</source>
        <translation>ذخیرهٔ اهداف</translation>
    </message>
    <message>
        <location filename="../../views/settings_priority.py" line="119"/>
        <source>Only admins change the priority matrix and the SLA targets.</source>
        <translation>جدول اولویت و اهداف SLA را فقط مدیران تغییر می‌دهند.</translation>
    </message>
</context>
<context>
    <name>QueueSidebarView</name>
    <message>
        <location filename="../../views/queue_sidebar.py" line="17"/>
        <source>My tickets</source>
        <translation>درخواست‌های من</translation>
    </message>
    <message>
        <location filename="../../views/queue_sidebar.py" line="18"/>
        <source>Unassigned</source>
        <translation>بدون مسئول</translation>
    </message>
    <message>
        <location filename="../../views/queue_sidebar.py" line="19"/>
        <source>My teams</source>
        <translation>تیم‌های من</translation>
    </message>
    <message>
        <location filename="../../views/queue_sidebar.py" line="20"/>
        <source>Followed</source>
        <translation>دنبال‌شده‌ها</translation>
    </message>
    <message>
        <location filename="../../views/queue_sidebar.py" line="21"/>
        <source>All open</source>
        <translation>همهٔ باز</translation>
    </message>
    <message>
        <location filename="../../views/queue_sidebar.py" line="22"/>
        <source>All tickets</source>
        <translation>همهٔ درخواست‌ها</translation>
    </message>
    <message>
        <location filename="../../views/queue_sidebar.py" line="23"/>
        <source>Archived</source>
        <translation>بایگانی</translation>
    </message>
    <message>
        <location filename="../../views/queue_sidebar.py" line="24"/>
        <source>Not yet synced</source>
        <translation>همگام‌نشده</translation>
    </message>
</context>
<context>
    <name>QueueTableModel</name>
    <message>
        <location filename="../../models/queue_model.py" line="98"/>
        <source>Sync</source>
        <translation>همگام</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="99"/>
        <source>Number</source>
        <translation>شماره</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="100"/>
        <source>Title</source>
        <translation>عنوان</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="101"/>
        <source>Customer</source>
        <translation>مشتری</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="102"/>
        <source>Stage</source>
        <translation>مرحله</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="103"/>
        <source>Priority</source>
        <translation>اولویت</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="104"/>
        <source>Severity</source>
        <translation>شدت</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="105"/>
        <source>Impact</source>
        <translation>اثر</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="106"/>
        <source>Team</source>
        <translation>تیم</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="107"/>
        <source>Assignee</source>
        <translation>مسئول</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="108"/>
        <source>SLA due</source>
        <translation>مهلت SLA</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="109"/>
        <source>Updated</source>
        <translation>به‌روزرسانی</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="110"/>
        <source>Staff</source>
        <translation>کارشناس</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="111"/>
        <source>Customer read</source>
        <translation>مشتری خواند</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="127"/>
        <source>New</source>
        <translation>جدید</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="128"/>
        <source>In progress</source>
        <translation>در حال انجام</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="129"/>
        <source>Closed</source>
        <translation>بسته</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="132"/>
        <location filename="../../models/queue_model.py" line="137"/>
        <source>Low</source>
        <translation>کم</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="133"/>
        <source>Normal</source>
        <translation>عادی</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="134"/>
        <source>High</source>
        <translation>زیاد</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="138"/>
        <source>Medium</source>
        <translation>متوسط</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="139"/>
        <source>Critical</source>
        <translation>بحرانی</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="142"/>
        <source>Minor</source>
        <translation>جزئی</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="143"/>
        <source>Serious</source>
        <translation>جدی</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="144"/>
        <source>Catastrophic</source>
        <translation>فاجعه‌بار</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="147"/>
        <source>Unread</source>
        <translation>خوانده‌نشده</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="148"/>
        <source>Seen, under review</source>
        <translation>در حال بررسی</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="149"/>
        <source>Answered, following up</source>
        <translation>در حال پیگیری</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="152"/>
        <source>Answered</source>
        <translation>پاسخ‌داده</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="155"/>
        <source>Staff: unread</source>
        <translation>کارشناس: خوانده‌نشده</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="156"/>
        <source>Staff: seen, under review</source>
        <translation>کارشناس: دیده‌شده، در حال بررسی</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="157"/>
        <source>Staff: answered, following up</source>
        <translation>کارشناس: پاسخ‌داده، در حال پیگیری</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="160"/>
        <source>Staff: answered</source>
        <translation>کارشناس: پاسخ‌داده</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="164"/>
        <source>Not read</source>
        <translation>نخوانده</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="165"/>
        <source>Read</source>
        <translation>خوانده</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="535"/>
        <location filename="../../models/queue_model.py" line="653"/>
        <source>Edits not yet sent to the server</source>
        <translation>تغییراتی که هنوز به سرور نرسیده‌اند</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="621"/>
        <source>pending</source>
        <translation>در انتظار</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="638"/>
        <source>Unassigned</source>
        <translation>بدون مسئول</translation>
    </message>
    <message>
        <location filename="../../models/queue_model.py" line="657"/>
        <source>Overdue since %1</source>
        <translation>گذشته از مهلت از %1</translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <location filename="../../views/settings_common.py" line="29"/>
        <source>This needs a connection to the server. Nothing was lost; try again.</source>
        <translation>این کار به اتصال به سرور نیاز دارد. چیزی از دست نرفت؛ دوباره تلاش کنید.</translation>
    </message>
    <message>
        <location filename="../../views/settings_common.py" line="34"/>
        <source>Only supervisors and admins may change this (admins for desk settings).</source>
        <translation>فقط سرپرستان و مدیران می‌توانند این را تغییر دهند (تنظیمات میز فقط با مدیران).</translation>
    </message>
    <message>
        <location filename="../../views/settings_common.py" line="39"/>
        <source>Your sign-in has expired. Sign in again.</source>
        <translation>ورود شما منقضی شده است. دوباره وارد شوید.</translation>
    </message>
    <message>
        <location filename="../../views/settings_common.py" line="43"/>
        <source>This no longer exists on the server.</source>
        <translation>این دیگر روی سرور وجود ندارد.</translation>
    </message>
    <message>
        <location filename="../../views/settings_common.py" line="45"/>
        <source>This cannot be empty.</source>
        <translation>این نمی‌تواند خالی باشد.</translation>
    </message>
    <message>
        <location filename="../../views/settings_common.py" line="47"/>
        <source>This is too long.</source>
        <translation>این بیش از حد طولانی است.</translation>
    </message>
    <message>
        <location filename="../../views/settings_common.py" line="49"/>
        <source>This name is already taken.</source>
        <translation>این نام پیش‌تر به کار رفته است.</translation>
    </message>
    <message>
        <location filename="../../views/settings_common.py" line="51"/>
        <source>This cannot be deleted while it is in use (for example, tickets still in this stage). Move or change those first.</source>
        <translation>تا وقتی این در حال استفاده است (برای نمونه، تیکت‌هایی هنوز در این مرحله‌اند) نمی‌توان آن را حذف کرد. نخست آن‌ها را جابه‌جا یا تغییر دهید.</translation>
    </message>
    <message>
        <location filename="../../views/settings_common.py" line="57"/>
        <source>Customers with a portal login may follow only a public team; make the team public first.</source>
        <translation>مشتریانی که ورود به پورتال دارند فقط می‌توانند تیم عمومی را دنبال کنند؛ نخست تیم را عمومی کنید.</translation>
    </message>
    <message>
        <location filename="../../views/settings_common.py" line="63"/>
        <source>This was changed meanwhile; it was reloaded, check and save again.</source>
        <translation>این در این میان تغییر کرده است؛ دوباره بارگذاری شد، بررسی کنید و دوباره ذخیره کنید.</translation>
    </message>
    <message>
        <location filename="../../views/settings_common.py" line="180"/>
        <source>Are you sure?</source>
        <translation>مطمئن هستید؟</translation>
    </message>
    <message>
        <location filename="../../views/settings_common.py" line="185"/>
        <source>Cancel</source>
        <translation>انصراف</translation>
    </message>
    <message>
        <location filename="../../views/settings_common.py" line="67"/>
        <source>This value is out of range.</source>
        <translation>این مقدار خارج از محدوده است.</translation>
    </message>
    <message>
        <location filename="../../views/settings_common.py" line="68"/>
        <source>The server refused this: %1</source>
        <translation>سرور این را نپذیرفت: %1</translation>
    </message>
    <message>
        <location filename="../../views/settings_common.py" line="157"/>
        <source>Saved on the server.</source>
        <translation>روی سرور ذخیره شد.</translation>
    </message>
</context>
<context>
    <name>SettingsWindow</name>
    <message>
        <location filename="../../views/settings_window.py" line="45"/>
        <source>Settings</source>
        <translation>تنظیمات</translation>
    </message>
    <message>
        <location filename="../../views/settings_window.py" line="57"/>
        <source>Teams and stages</source>
        <translation>تیم‌ها و مراحل</translation>
    </message>
    <message>
        <location filename="../../views/settings_window.py" line="59"/>
        <source>Departments and subjects</source>
        <translation>واحدها و موضوع‌ها</translation>
    </message>
    <message>
        <location filename="../../views/settings_window.py" line="63"/>
        <source>Subtypes and custom fields</source>
        <translation>انواع تیکت و فیلدهای سفارشی</translation>
    </message>
    <message>
        <location filename="../../views/settings_window.py" line="66"/>
        <source>Priority and SLA</source>
        <translation>اولویت و SLA</translation>
    </message>
    <message>
        <location filename="../../views/settings_window.py" line="67"/>
        <source>Canned replies</source>
        <translation>پاسخ‌های آماده</translation>
    </message>
    <message>
        <location filename="../../views/settings_window.py" line="68"/>
        <source>Knowledge base</source>
        <translation>پایگاه دانش</translation>
    </message>
    <message>
        <location filename="../../views/settings_window.py" line="110"/>
        <source>You can read these settings; supervisors and admins change them.</source>
        <translation>این تنظیمات را می‌توانید ببینید؛ سرپرستان و مدیران آن‌ها را تغییر می‌دهند.</translation>
    </message>
    <message>
        <location filename="../../views/settings_window.py" line="117"/>
        <source>Working offline: changes need a connection to the server.</source>
        <translation>کار بدون اتصال: تغییرات به اتصال به سرور نیاز دارند.</translation>
    </message>
    <message>
        <location filename="../../views/settings_window.py" line="145"/>
        <source>&amp;Tools</source>
        <translation>&amp;ابزارها</translation>
    </message>
    <message>
        <location filename="../../views/settings_window.py" line="146"/>
        <source>&amp;Settings</source>
        <translation>&amp;تنظیمات</translation>
    </message>
</context>
<context>
    <name>StageMenu</name>
    <message>
        <location filename="../../views/stage_menu.py" line="24"/>
        <source>Stage</source>
        <translation>مرحله</translation>
    </message>
    <message>
        <location filename="../../views/stage_menu.py" line="32"/>
        <source>%1 (closes the ticket)</source>
        <translation>%1 (تیکت را می‌بندد)</translation>
    </message>
    <message>
        <location filename="../../views/stage_menu.py" line="41"/>
        <source>This team has no stages</source>
        <translation>این تیم مرحله‌ای ندارد</translation>
    </message>
</context>
<context>
    <name>StaleReplyDialog</name>
    <message>
        <location filename="../../views/ticket_view.py" line="74"/>
        <source>New messages since you started</source>
        <translation>پیام‌های تازه از وقتی شروع کردید</translation>
    </message>
    <message>
        <location filename="../../views/ticket_view.py" line="78"/>
        <source>%1 new message(s) arrived on this ticket since you opened it or started this reply. Send anyway, or review them first?</source>
        <translation>از وقتی این تیکت را باز کردید یا نوشتن این پاسخ را شروع کردید، %1 پیام تازه رسیده است. با این حال بفرستید یا اول آن‌ها را ببینید؟</translation>
    </message>
    <message>
        <location filename="../../views/ticket_view.py" line="88"/>
        <source>Customer</source>
        <translation>مشتری</translation>
    </message>
    <message>
        <location filename="../../views/ticket_view.py" line="90"/>
        <source>Colleague&apos;s reply</source>
        <translation>پاسخ همکار</translation>
    </message>
    <message>
        <location filename="../../views/ticket_view.py" line="98"/>
        <source>Send anyway</source>
        <translation>با این حال بفرست</translation>
    </message>
    <message>
        <location filename="../../views/ticket_view.py" line="100"/>
        <source>Review</source>
        <translation>مرور پیام‌ها</translation>
    </message>
</context>
<context>
    <name>Startup</name>
    <message>
        <location filename="../../startup.py" line="169"/>
        <location filename="../../startup.py" line="403"/>
        <location filename="../../startup.py" line="485"/>
        <source>Helpdesk</source>
        <translation>میز پشتیبانی</translation>
    </message>
    <message>
        <location filename="../../startup.py" line="170"/>
        <source>Fetching your tickets…</source>
        <translation>در حال دریافت درخواست‌های شما…</translation>
    </message>
    <message>
        <location filename="../../startup.py" line="265"/>
        <source>This window holds the work of %1, and only %1 can send it. Sign in as %1, or sign out first to use another account.</source>
        <translation>این پنجره کار %1 را نگه می‌دارد و فقط %1 می‌تواند آن را بفرستد. با حساب %1 وارد شوید، یا برای کار با حساب دیگر نخست از حساب خارج شوید.</translation>
    </message>
    <message>
        <location filename="../../startup.py" line="277"/>
        <source>The server ended your session. Sign in again to send your changes and sync; nothing you did here is lost.</source>
        <translation>سرور نشست شما را پایان داد. برای فرستادن تغییرات و همگام‌سازی دوباره وارد شوید؛ چیزی از کار شما از دست نرفته است.</translation>
    </message>
    <message>
        <location filename="../../startup.py" line="284"/>
        <source>Sign in again</source>
        <translation>ورود دوباره</translation>
    </message>
    <message>
        <location filename="../../startup.py" line="447"/>
        <source>This computer has no password keyring (such as GNOME Keyring or KWallet), so your sign-in is not saved: you will be asked again next time.</source>
        <translation>این رایانه جاکلیدی گذرواژه (مانند GNOME Keyring یا KWallet) ندارد، پس ورود شما ذخیره نمی‌شود و دفعهٔ بعد دوباره پرسیده می‌شود.</translation>
    </message>
    <message>
        <location filename="../../startup.py" line="468"/>
        <source>The first sync did not finish: %1
What arrived is shown; the rest follows when the server can be reached.</source>
        <translation>نخستین همگام‌سازی کامل نشد: %1
آنچه رسیده نشان داده می‌شود؛ بقیه وقتی سرور در دسترس باشد می‌رسد.</translation>
    </message>
    <message>
        <location filename="../../startup.py" line="487"/>
        <source>Starting the demo server on this computer…</source>
        <translation>در حال راه‌اندازی سرور نمایشی روی این رایانه…</translation>
    </message>
    <message>
        <location filename="../../startup.py" line="496"/>
        <source>Preparing the demo data (once; about a minute)…</source>
        <translation>در حال آماده‌سازی داده‌های نمایشی (یک بار؛ حدود یک دقیقه)…</translation>
    </message>
</context>
<context>
    <name>SyncStatusView</name>
    <message>
        <location filename="../../views/sync_status.py" line="46"/>
        <source>Sign in again…</source>
        <translation>ورود دوباره…</translation>
    </message>
    <message>
        <location filename="../../views/sync_status.py" line="48"/>
        <source>The server ended your session. Sign in again to send your changes and sync.</source>
        <translation>سرور نشست شما را پایان داد. برای فرستادن تغییرات و همگام‌سازی دوباره وارد شوید.</translation>
    </message>
    <message>
        <location filename="../../views/sync_status.py" line="108"/>
        <source>Sync now</source>
        <translation>همگام‌سازی اکنون</translation>
    </message>
    <message>
        <location filename="../../views/sync_status.py" line="109"/>
        <source>Send your changes and fetch the latest now</source>
        <translation>تغییرات شما اکنون فرستاده و تازه‌ترین‌ها گرفته شود</translation>
    </message>
    <message>
        <location filename="../../views/sync_status.py" line="145"/>
        <source>Online</source>
        <translation>برخط</translation>
    </message>
    <message>
        <location filename="../../views/sync_status.py" line="146"/>
        <source>Offline</source>
        <translation>آفلاین</translation>
    </message>
    <message>
        <location filename="../../views/sync_status.py" line="147"/>
        <source>Syncing…</source>
        <translation>در حال همگام‌سازی…</translation>
    </message>
    <message>
        <location filename="../../views/sync_status.py" line="148"/>
        <source>Sync error</source>
        <translation>خطای همگام‌سازی</translation>
    </message>
    <message>
        <location filename="../../views/sync_status.py" line="155"/>
        <source>The server cannot be reached. Your changes are kept and sent when it is back.</source>
        <translation>به سرور دسترسی نیست. تغییرات شما نگه داشته می‌شود و وقتی سرور برگردد ارسال می‌شود.</translation>
    </message>
    <message>
        <location filename="../../views/sync_status.py" line="158"/>
        <source>Sync stopped: %1</source>
        <translation>همگام‌سازی متوقف شد: %1</translation>
    </message>
    <message>
        <location filename="../../views/sync_status.py" line="165"/>
        <source>Building the search index: the newest rows may not be found yet.</source>
        <translation>نمایهٔ جست‌وجو در حال ساخت است: شاید تازه‌ترین ردیف‌ها هنوز در جست‌وجو پیدا نشوند.</translation>
    </message>
    <message>
        <location filename="../../views/sync_status.py" line="183"/>
        <source>Older conversations: %1%</source>
        <translation>گفت‌وگوهای قدیمی‌تر: %1٪</translation>
    </message>
    <message>
        <location filename="../../views/sync_status.py" line="185"/>
        <source>Older conversations loading…</source>
        <translation>گفت‌وگوهای قدیمی‌تر در راه است…</translation>
    </message>
    <message>
        <location filename="../../views/sync_status.py" line="189"/>
        <source>Tickets are all here; the messages of old tickets are still being fetched. A ticket you open gets its conversation at once.</source>
        <translation>همهٔ تیکت‌ها رسیده‌اند؛ پیام‌های تیکت‌های قدیمی هنوز در حال دریافت است. تیکتی که باز کنید گفت‌وگویش را همان دم می‌گیرد.</translation>
    </message>
    <message numerus="yes">
        <location filename="../../views/sync_status.py" line="197"/>
        <source>%Ln change(s) not yet sent</source>
        <translation>
            <numerusform>%Ln تغییر هنوز فرستاده نشده</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../views/sync_status.py" line="208"/>
        <source>Not synced yet</source>
        <translation>هنوز همگام نشده</translation>
    </message>
    <message>
        <location filename="../../views/sync_status.py" line="213"/>
        <source>Synced %1</source>
        <translation>همگام‌شده %1</translation>
    </message>
    <message>
        <location filename="../../views/sync_status.py" line="225"/>
        <source>%1 of %2 changes</source>
        <translation>%1 از %2 تغییر</translation>
    </message>
    <message numerus="yes">
        <location filename="../../views/sync_status.py" line="260"/>
        <source>%Ln conflict(s)</source>
        <translation>
            <numerusform>%Ln ناسازگاری</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../views/sync_status.py" line="262"/>
        <source>Changes the server did not take: open the list</source>
        <translation>تغییراتی که سرور نپذیرفت: فهرست را باز کنید</translation>
    </message>
</context>
<context>
    <name>TeamsPage</name>
    <message>
        <location filename="../../views/settings_teams.py" line="38"/>
        <source>Private: invited staff only</source>
        <translation>خصوصی: فقط کارکنان دعوت‌شده</translation>
    </message>
    <message>
        <location filename="../../views/settings_teams.py" line="39"/>
        <source>Company: all staff</source>
        <translation>سازمانی: همهٔ کارکنان</translation>
    </message>
    <message>
        <location filename="../../views/settings_teams.py" line="40"/>
        <source>Public: staff and invited customers</source>
        <translation>عمومی: کارکنان و مشتریان دعوت‌شده</translation>
    </message>
    <message>
        <location filename="../../views/settings_teams.py" line="61"/>
        <source>Shown to customers on the portal</source>
        <translation>در درگاه مشتریان نمایش داده می‌شود</translation>
    </message>
    <message>
        <location filename="../../views/settings_teams.py" line="74"/>
        <source>Member</source>
        <translation>عضو</translation>
    </message>
    <message>
        <location filename="../../views/settings_teams.py" line="75"/>
        <source>Assignable (auto-assignment)</source>
        <translation>قابل واگذاری (واگذاری خودکار)</translation>
    </message>
    <message>
        <location filename="../../views/settings_teams.py" line="90"/>
        <source>Add follower</source>
        <translation>افزودن دنبال‌کننده</translation>
    </message>
    <message>
        <location filename="../../views/settings_teams.py" line="95"/>
        <source>Remove follower</source>
        <translation>برداشتن دنبال‌کننده</translation>
    </message>
    <message>
        <location filename="../../views/settings_teams.py" line="99"/>
        <source>New team</source>
        <translation>تیم تازه</translation>
    </message>
    <message>
        <location filename="../../views/settings_teams.py" line="105"/>
        <source>Save team</source>
        <translation>ذخیرهٔ تیم</translation>
    </message>
    <message>
        <location filename="../../views/settings_teams.py" line="111"/>
        <source>Name</source>
        <translation>نام</translation>
    </message>
    <message>
        <location filename="../../views/settings_teams.py" line="113"/>
        <source>Public description</source>
        <translation>توضیح عمومی</translation>
    </message>
    <message>
        <location filename="../../views/settings_teams.py" line="115"/>
        <source>Company</source>
        <translation>شرکت</translation>
    </message>
    <message>
        <location filename="../../views/settings_teams.py" line="116"/>
        <source>Visibility</source>
        <translation>دیدپذیری</translation>
    </message>
    <message>
        <location filename="../../views/settings_teams.py" line="118"/>
        <source>Members</source>
        <translation>اعضا</translation>
    </message>
    <message>
        <location filename="../../views/settings_teams.py" line="124"/>
        <source>Follow all team tickets</source>
        <translation>دنبال‌کنندگان همهٔ تیکت‌های تیم</translation>
    </message>
    <message>
        <location filename="../../views/settings_teams.py" line="136"/>
        <source>Stage name</source>
        <translation>نام مرحله</translation>
    </message>
    <message>
        <location filename="../../views/settings_teams.py" line="138"/>
        <source>Add stage</source>
        <translation>افزودن مرحله</translation>
    </message>
    <message>
        <location filename="../../views/settings_teams.py" line="141"/>
        <source>Rename</source>
        <translation>تغییر نام</translation>
    </message>
    <message>
        <location filename="../../views/settings_teams.py" line="144"/>
        <source>Move up</source>
        <translation>بالا بردن</translation>
    </message>
    <message>
        <location filename="../../views/settings_teams.py" line="147"/>
        <source>Move down</source>
        <translation>پایین بردن</translation>
    </message>
    <message>
        <location filename="../../views/settings_teams.py" line="151"/>
        <source>Delete stage</source>
        <translation>حذف مرحله</translation>
    </message>
    <message>
        <location filename="../../views/settings_teams.py" line="155"/>
        <source>Folded on the board</source>
        <translation>جمع‌شده در تابلو</translation>
    </message>
    <message>
        <location filename="../../views/settings_teams.py" line="164"/>
        <source>Stages</source>
        <translation>مراحل</translation>
    </message>
    <message>
        <location filename="../../views/settings_teams.py" line="204"/>
        <source>(inactive)</source>
        <translation>(غیرفعال)</translation>
    </message>
    <message>
        <location filename="../../views/settings_teams.py" line="211"/>
        <source>(none)</source>
        <translation>(هیچ)</translation>
    </message>
    <message>
        <location filename="../../views/settings_teams.py" line="219"/>
        <location filename="../../views/settings_teams.py" line="327"/>
        <source>%1 (customer)</source>
        <translation>%1 (مشتری)</translation>
    </message>
    <message>
        <location filename="../../views/settings_teams.py" line="269"/>
        <source>Deactivate team</source>
        <translation>غیرفعال کردن تیم</translation>
    </message>
    <message>
        <location filename="../../views/settings_teams.py" line="271"/>
        <source>Reactivate team</source>
        <translation>فعال کردن دوباره تیم</translation>
    </message>
    <message>
        <location filename="../../views/settings_teams.py" line="345"/>
        <source>(folded)</source>
        <translation>(جمع‌شده)</translation>
    </message>
    <message>
        <location filename="../../views/settings_teams.py" line="419"/>
        <source>Make the team private?</source>
        <translation>تیم خصوصی شود؟</translation>
    </message>
    <message>
        <location filename="../../views/settings_teams.py" line="421"/>
        <source>Customers following this team or its tickets through the portal will be removed as followers: %1.</source>
        <translation>مشتریانی که این تیم یا تیکت‌هایش را از راه درگاه دنبال می‌کنند از دنبال‌کنندگان حذف می‌شوند: %1.</translation>
    </message>
    <message>
        <location filename="../../views/settings_teams.py" line="428"/>
        <source>They will no longer see these tickets on the portal.</source>
        <translation>آن‌ها دیگر این تیکت‌ها را در درگاه نمی‌بینند.</translation>
    </message>
    <message>
        <location filename="../../views/settings_teams.py" line="434"/>
        <source>Make private</source>
        <translation>خصوصی شود</translation>
    </message>
    <message>
        <location filename="../../views/settings_teams.py" line="437"/>
        <source>Cancel</source>
        <translation>انصراف</translation>
    </message>
    <message>
        <location filename="../../views/settings_teams.py" line="516"/>
        <source>Deactivate the team %1? New tickets can no longer be given to it; its tickets keep it.</source>
        <translation>تیم %1 غیرفعال شود؟ دیگر نمی‌توان تیکت تازه‌ای به آن داد؛ تیکت‌هایش همچنان از آن تیم می‌مانند.</translation>
    </message>
    <message>
        <location filename="../../views/settings_teams.py" line="521"/>
        <source>Deactivate</source>
        <translation>غیرفعال کن</translation>
    </message>
    <message>
        <location filename="../../views/settings_teams.py" line="596"/>
        <source>Delete the stage %1?</source>
        <translation>مرحلهٔ %1 حذف شود؟</translation>
    </message>
    <message>
        <location filename="../../views/settings_teams.py" line="599"/>
        <source>Delete</source>
        <translation>حذف کن</translation>
    </message>
</context>
<context>
    <name>TextsPage</name>
    <message>
        <location filename="../../views/settings_texts.py" line="47"/>
        <source>New</source>
        <translation>تازه</translation>
    </message>
    <message>
        <location filename="../../views/settings_texts.py" line="50"/>
        <source>Save</source>
        <translation>ذخیره</translation>
    </message>
    <message>
        <location filename="../../views/settings_texts.py" line="53"/>
        <location filename="../../views/settings_texts.py" line="171"/>
        <source>Delete</source>
        <translation>حذف</translation>
    </message>
    <message>
        <location filename="../../views/settings_texts.py" line="168"/>
        <source>Delete %1? This cannot be undone.</source>
        <translation>%1 حذف شود؟ این کار بازگشت‌پذیر نیست.</translation>
    </message>
    <message>
        <location filename="../../views/settings_texts.py" line="186"/>
        <location filename="../../views/settings_texts.py" line="238"/>
        <source>Title</source>
        <translation>عنوان</translation>
    </message>
    <message>
        <location filename="../../views/settings_texts.py" line="188"/>
        <source>Shortcut</source>
        <translation>میان‌بر</translation>
    </message>
    <message>
        <location filename="../../views/settings_texts.py" line="190"/>
        <source>Team</source>
        <translation>تیم</translation>
    </message>
    <message>
        <location filename="../../views/settings_texts.py" line="191"/>
        <location filename="../../views/settings_texts.py" line="243"/>
        <source>Text</source>
        <translation>متن</translation>
    </message>
    <message>
        <location filename="../../views/settings_texts.py" line="199"/>
        <source>Every team</source>
        <translation>همهٔ تیم‌ها</translation>
    </message>
    <message>
        <location filename="../../views/settings_texts.py" line="236"/>
        <source>Published</source>
        <translation>منتشرشده</translation>
    </message>
    <message>
        <location filename="../../views/settings_texts.py" line="240"/>
        <source>Keywords</source>
        <translation>کلیدواژه‌ها</translation>
    </message>
</context>
<context>
    <name>TicketActions</name>
    <message>
        <location filename="../../actions.py" line="62"/>
        <source>That stage belongs to another team.</source>
        <translation>این مرحله از آنِ تیم دیگری است.</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="65"/>
        <source>This ticket is merged into another and stays archived.</source>
        <translation>این تیکت در تیکت دیگری ادغام شده و بایگانی می‌ماند.</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="68"/>
        <source>This ticket is no longer in the cache.</source>
        <translation>این تیکت دیگر در حافظهٔ محلی نیست.</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="71"/>
        <source>The assignee must be an active staff user.</source>
        <translation>مسئول باید یکی از کارکنان فعال باشد.</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="112"/>
        <source>Assign to me</source>
        <translation>واگذاری به من</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="118"/>
        <source>Refer to a colleague…</source>
        <translation>ارجاع به همکار…</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="124"/>
        <source>Change stage…</source>
        <translation>تغییر مرحله…</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="130"/>
        <source>Follow</source>
        <translation>دنبال کردن</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="133"/>
        <source>Unfollow</source>
        <translation>دنبال نکردن</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="139"/>
        <source>Close</source>
        <translation>بستن</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="142"/>
        <source>Reopen</source>
        <translation>بازگشایی</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="145"/>
        <source>Archive</source>
        <translation>بایگانی</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="151"/>
        <source>Restore from archive</source>
        <translation>بازگردانی از بایگانی</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="157"/>
        <source>Customer file</source>
        <translation>پروندهٔ مشتری</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="163"/>
        <source>Convert to lead…</source>
        <translation>تبدیل به سرنخ فروش…</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="185"/>
        <source>Ticket actions</source>
        <translation>کارهای تیکت</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="313"/>
        <source>Assigned to you</source>
        <translation>به شما واگذار شد</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="338"/>
        <source>Referred</source>
        <translation>ارجاع شد</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="367"/>
        <source>Stage changed</source>
        <translation>مرحله تغییر کرد</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="369"/>
        <source>(%1 tickets of other teams left alone)</source>
        <translation>(%1 تیکتِ تیم‌های دیگر دست‌نخورده ماند)</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="381"/>
        <source>Following</source>
        <translation>دنبال می‌کنید</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="391"/>
        <source>No longer following</source>
        <translation>دیگر دنبال نمی‌کنید</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="399"/>
        <source>Closed</source>
        <translation>بسته شد</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="407"/>
        <source>Reopened</source>
        <translation>بازگشایی شد</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="415"/>
        <source>Archived</source>
        <translation>بایگانی شد</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="423"/>
        <source>Restored from archive</source>
        <translation>از بایگانی بازگردانده شد</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="456"/>
        <source>Updating %1 tickets…</source>
        <translation>به‌روزرسانی %1 تیکت…</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="459"/>
        <source>Stop</source>
        <translation>توقف</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="495"/>
        <source>Could not save</source>
        <translation>ذخیره نشد</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="496"/>
        <source>The change could not be saved in the local cache:
%1</source>
        <translation>تغییر در حافظهٔ محلی ذخیره نشد:
%1</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="516"/>
        <source>%1: %2 tickets</source>
        <translation>%1: %2 تیکت</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="528"/>
        <source>Some tickets were not changed</source>
        <translation>برخی تیکت‌ها تغییر نکردند</translation>
    </message>
    <message>
        <location filename="../../actions.py" line="529"/>
        <source>%1 tickets could not be changed:</source>
        <translation>%1 تیکت تغییر نکرد:</translation>
    </message>
</context>
<context>
    <name>TicketForm</name>
    <message>
        <location filename="../../models/ticket_form_model.py" line="38"/>
        <source>%1 (account)</source>
        <translation>%1 (حساب مشتری)</translation>
    </message>
    <message>
        <location filename="../../views/ticket_form.py" line="106"/>
        <source>%1 is required.</source>
        <translation>«%1» را پر کنید؛ این فیلد لازم است.</translation>
    </message>
    <message>
        <location filename="../../views/ticket_form.py" line="108"/>
        <source>Not a valid value for %1.</source>
        <translation>مقدار واردشده برای «%1» درست نیست.</translation>
    </message>
    <message>
        <location filename="../../views/ticket_form.py" line="112"/>
        <source>A contact email is required; the customer is answered there.</source>
        <translation>ایمیل تماس لازم است؛ پاسخ به همین نشانی برای مشتری فرستاده می‌شود.</translation>
    </message>
    <message>
        <location filename="../../views/ticket_form.py" line="115"/>
        <source>Not a valid email address (like name@example.com).</source>
        <translation>نشانی ایمیل درست نیست (مانند name@example.com).</translation>
    </message>
    <message>
        <location filename="../../views/ticket_form.py" line="118"/>
        <source>Too long: at most 300 characters.</source>
        <translation>بیش از اندازه بلند است: حداکثر ۳۰۰ نویسه.</translation>
    </message>
    <message>
        <location filename="../../views/ticket_form.py" line="119"/>
        <source>A title is required.</source>
        <translation>عنوان تیکت را بنویسید.</translation>
    </message>
    <message>
        <location filename="../../views/ticket_form.py" line="120"/>
        <source>Pick a subject of this department.</source>
        <translation>موضوعی از فهرست همین واحد انتخاب کنید.</translation>
    </message>
    <message>
        <location filename="../../views/ticket_form.py" line="123"/>
        <source>Pick a member of the chosen team.</source>
        <translation>یکی از اعضای تیم انتخاب‌شده را برگزینید.</translation>
    </message>
    <message>
        <location filename="../../views/ticket_form.py" line="126"/>
        <source>A file to attach can no longer be read.</source>
        <translation>یکی از پیوست‌ها دیگر خواندنی نیست.</translation>
    </message>
    <message>
        <location filename="../../views/ticket_form.py" line="217"/>
        <source>(none)</source>
        <translation>(هیچ)</translation>
    </message>
    <message>
        <location filename="../../views/ticket_form.py" line="229"/>
        <source>Search a contact or account by name, email or mobile</source>
        <translation>جست‌وجوی مخاطب یا حساب با نام، ایمیل یا موبایل</translation>
    </message>
    <message>
        <location filename="../../views/ticket_form.py" line="277"/>
        <source>Additional details</source>
        <translation>جزئیات بیشتر</translation>
    </message>
    <message>
        <location filename="../../views/ticket_form.py" line="287"/>
        <source>Add files…</source>
        <translation>افزودن فایل…</translation>
    </message>
    <message>
        <location filename="../../views/ticket_form.py" line="288"/>
        <source>Remove</source>
        <translation>حذف</translation>
    </message>
    <message>
        <location filename="../../views/ticket_form.py" line="290"/>
        <source>Create ticket</source>
        <translation>ثبت تیکت</translation>
    </message>
    <message>
        <location filename="../../views/ticket_form.py" line="290"/>
        <location filename="../../views/ticket_form.py" line="415"/>
        <source>Save changes</source>
        <translation>ذخیره تغییرات</translation>
    </message>
    <message>
        <location filename="../../views/ticket_form.py" line="305"/>
        <source>Subtype</source>
        <translation>نوع تیکت</translation>
    </message>
    <message>
        <location filename="../../views/ticket_form.py" line="312"/>
        <source>Related to</source>
        <translation>مربوط به</translation>
    </message>
    <message>
        <location filename="../../views/ticket_form.py" line="313"/>
        <source>Title</source>
        <translation>عنوان</translation>
    </message>
    <message>
        <location filename="../../views/ticket_form.py" line="314"/>
        <source>Contact email</source>
        <translation>ایمیل تماس</translation>
    </message>
    <message>
        <location filename="../../views/ticket_form.py" line="315"/>
        <source>Status</source>
        <translation>وضعیت</translation>
    </message>
    <message>
        <location filename="../../views/ticket_form.py" line="319"/>
        <source>Severity</source>
        <translation>شدت</translation>
    </message>
    <message>
        <location filename="../../views/ticket_form.py" line="321"/>
        <source>Impact</source>
        <translation>اثر</translation>
    </message>
    <message>
        <location filename="../../views/ticket_form.py" line="323"/>
        <source>Severity and impact</source>
        <translation>شدت و اثر</translation>
    </message>
    <message>
        <location filename="../../views/ticket_form.py" line="328"/>
        <source>Priority</source>
        <translation>اولویت</translation>
    </message>
    <message>
        <location filename="../../views/ticket_form.py" line="329"/>
        <source>Department</source>
        <translation>واحد</translation>
    </message>
    <message>
        <location filename="../../views/ticket_form.py" line="330"/>
        <source>Subject</source>
        <translation>موضوع</translation>
    </message>
    <message>
        <location filename="../../views/ticket_form.py" line="331"/>
        <source>Team</source>
        <translation>تیم</translation>
    </message>
    <message>
        <location filename="../../views/ticket_form.py" line="332"/>
        <source>Assigned to</source>
        <translation>کارشناس مسئول</translation>
    </message>
    <message>
        <location filename="../../views/ticket_form.py" line="333"/>
        <source>Tags</source>
        <translation>برچسب‌ها</translation>
    </message>
    <message>
        <location filename="../../views/ticket_form.py" line="335"/>
        <source>Description</source>
        <translation>شرح</translation>
    </message>
    <message>
        <location filename="../../views/ticket_form.py" line="345"/>
        <source>Attachments</source>
        <translation>پیوست‌ها</translation>
    </message>
    <message>
        <location filename="../../views/ticket_form.py" line="541"/>
        <source>Already attached to this ticket</source>
        <translation>پیش‌تر به این تیکت پیوست شده است</translation>
    </message>
    <message>
        <location filename="../../views/ticket_form.py" line="582"/>
        <source>(nobody)</source>
        <translation>(هیچ‌کس)</translation>
    </message>
    <message>
        <location filename="../../views/ticket_form.py" line="660"/>
        <source>Not related to a contact or account yet.</source>
        <translation>هنوز به مخاطب یا حسابی مربوط نشده است.</translation>
    </message>
    <message>
        <location filename="../../views/ticket_form.py" line="667"/>
        <source>Related to: %1</source>
        <translation>مربوط به: %1</translation>
    </message>
    <message>
        <location filename="../../views/ticket_form.py" line="690"/>
        <source>%1: severity %2 × impact %3</source>
        <translation>%1: شدت %2 × اثر %3</translation>
    </message>
    <message>
        <location filename="../../views/ticket_form.py" line="728"/>
        <source>Attach files</source>
        <translation>پیوست فایل</translation>
    </message>
    <message>
        <location filename="../../views/ticket_form.py" line="762"/>
        <source>The ticket could not be saved; nothing typed is lost. %1</source>
        <translation>تیکت ذخیره نشد؛ هیچ‌چیز از نوشته‌ها از دست نرفته است. %1</translation>
    </message>
    <message numerus="yes">
        <location filename="../../views/ticket_form.py" line="792"/>
        <source>The ticket was not saved: fix the %n marked field(s). Nothing typed is lost.</source>
        <translation>
            <numerusform>تیکت ذخیره نشد: %n فیلد مشخص‌شده را اصلاح کنید. هیچ‌چیز از نوشته‌ها از دست نرفته است.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../views/ticket_form.py" line="881"/>
        <source>New ticket</source>
        <translation>تیکت جدید</translation>
    </message>
    <message>
        <location filename="../../views/ticket_form.py" line="885"/>
        <source>New ticket (Ctrl+N)</source>
        <translation>تیکت جدید (Ctrl+N)</translation>
    </message>
</context>
<context>
    <name>TicketFormDialog</name>
    <message>
        <location filename="../../views/ticket_form.py" line="824"/>
        <source>New ticket</source>
        <translation>تیکت جدید</translation>
    </message>
</context>
<context>
    <name>TicketView</name>
    <message>
        <location filename="../../views/ticket_view.py" line="162"/>
        <location filename="../../views/ticket_view.py" line="374"/>
        <source>pending</source>
        <translation>در انتظار</translation>
    </message>
    <message>
        <location filename="../../views/ticket_view.py" line="204"/>
        <source>Convert to lead…</source>
        <translation>تبدیل به سرنخ فروش…</translation>
    </message>
    <message>
        <location filename="../../views/ticket_view.py" line="225"/>
        <source>Previous ticket</source>
        <translation>تیکت قبلی</translation>
    </message>
    <message>
        <location filename="../../views/ticket_view.py" line="227"/>
        <source>Next ticket</source>
        <translation>تیکت بعدی</translation>
    </message>
    <message>
        <location filename="../../views/ticket_view.py" line="295"/>
        <source>%1 of %2</source>
        <translation>%1 از %2</translation>
    </message>
    <message>
        <location filename="../../views/ticket_view.py" line="355"/>
        <source>This ticket is no longer in the cache.</source>
        <translation>این تیکت دیگر در حافظه محلی نیست.</translation>
    </message>
    <message>
        <location filename="../../views/ticket_view.py" line="381"/>
        <source>merged into #%1</source>
        <translation>ادغام‌شده در #%1</translation>
    </message>
    <message>
        <location filename="../../views/ticket_view.py" line="387"/>
        <source>Customer: %1</source>
        <translation>مشتری: %1</translation>
    </message>
    <message>
        <location filename="../../views/ticket_view.py" line="403"/>
        <source>Lead: %1</source>
        <translation>سرنخ فروش: %1</translation>
    </message>
    <message>
        <location filename="../../views/ticket_view.py" line="431"/>
        <source>Resolved by the customer</source>
        <translation>مشتری آن را حل‌شده اعلام کرد</translation>
    </message>
    <message>
        <location filename="../../views/ticket_view.py" line="433"/>
        <source>Customer says not resolved</source>
        <translation>مشتری می‌گوید حل نشده</translation>
    </message>
    <message>
        <location filename="../../views/ticket_view.py" line="437"/>
        <source>satisfaction %1 of 5</source>
        <translation>رضایت %1 از ۵</translation>
    </message>
    <message>
        <location filename="../../views/ticket_view.py" line="456"/>
        <source>Nothing to send</source>
        <translation>چیزی برای ارسال نیست</translation>
    </message>
    <message>
        <location filename="../../views/ticket_view.py" line="456"/>
        <source>Write the message first.</source>
        <translation>ابتدا پیام را بنویسید.</translation>
    </message>
    <message>
        <location filename="../../views/ticket_view.py" line="541"/>
        <source>An unexpected error.</source>
        <translation>خطای پیش‌بینی‌نشده.</translation>
    </message>
    <message>
        <location filename="../../views/ticket_view.py" line="544"/>
        <source>Not sent</source>
        <translation>ارسال نشد</translation>
    </message>
    <message>
        <location filename="../../views/ticket_view.py" line="545"/>
        <source>The message was not sent; your text is kept.
%1</source>
        <translation>پیام ارسال نشد؛ متن شما نگه داشته شد.
%1</translation>
    </message>
</context>
</TS>
