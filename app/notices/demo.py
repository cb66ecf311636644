"""Demo notices, written and published by the demo SASAC user through the services: one to every unit, one
to enterprises, one public to retirees, one draft; a few units have read theirs."""
from sqlalchemy import func, select

from app.extensions import appbuilder, db
from app.notices import services
from app.notices.models import PolicyNotice
from app.notices.rules import Audience

NOTICES = [
    (Audience.ALL, False, True,
     "关于做好国有企业退休人员社会化管理政策宣传工作的通知",
     "རྒྱལ་གཉེར་ཁེ་ལས་ཀྱི་ལས་རྒན་མི་སྣ་སྤྱི་ཚོགས་ཅན་གྱི་དོ་དམ་སྲིད་ཇུས་ཀྱི་ཁྱབ་བསྒྲགས་ལས་ཀ་ལེགས་པར་སྒྲུབ་རྒྱུའི་བརྡ་ཐོ།",
     "各县（区）、各有关部门、各国有企业：请按照职能职责，深入细致地宣传和解释退休人员社会化管理的各项政策措施，"
     "让退休人员充分了解社会化管理的必要性和重要性。",
     "རྫོང་(ཆུས)་དང་འབྲེལ་ཡོད་སྡེ་ཚན། རྒྱལ་གཉེར་ཁེ་ལས་ཁག་ལ། ལས་འགན་ལྟར་ལས་རྒན་མི་སྣ་སྤྱི་ཚོགས་ཅན་གྱི་དོ་དམ་གྱི་སྲིད་ཇུས་"
     "ཐབས་ཇུས་ཁག་ཞིབ་ཕྲ་ངང་ཁྱབ་བསྒྲགས་དང་འགྲེལ་བཤད་བྱས་ཏེ། ལས་རྒན་མི་སྣས་སྤྱི་ཚོགས་ཅན་གྱི་དོ་དམ་གྱི་དགོས་ངེས་རང་བཞིན་དང་"
     "གལ་ཆེའི་རང་བཞིན་ཧ་གོ་བར་བྱེད་རོགས།"),
    (Audience.ENTERPRISES, False, True,
     "关于规范统筹外费用清理工作的通知",
     "གཅིག་བསྡུས་ཕྱི་རོལ་གྱི་འགྲོ་སོང་གཙང་སེལ་ལས་ཀ་ཚད་ལྡན་དུ་གཏོང་རྒྱུའི་བརྡ་ཐོ།",
     "各国有企业：请对退休人员现有统筹外费用进行认真清理、分类处理，不再新增统筹外项目，原则上不再提高发放标准。",
     "རྒྱལ་གཉེར་ཁེ་ལས་ཁག་ལ། ལས་རྒན་མི་སྣའི་ད་ཡོད་གཅིག་བསྡུས་ཕྱི་རོལ་གྱི་འགྲོ་སོང་ལ་ཞིབ་ཅིང་གཙང་སེལ་དང་རིགས་དབྱེ་ཐག་གཅོད་"
     "བྱེད་དགོས། གཅིག་བསྡུས་ཕྱི་རོལ་གྱི་རྣམ་གྲངས་གསར་པ་ཁ་སྣོན་མི་ཆོག་ལ་སྤྲོད་ཚད་ཀྱང་མཐོར་འདེགས་མི་ཆོག"),
    (Audience.ALL, True, True,
     "退休人员领取养老金资格认证的提示",
     "ལས་རྒན་མི་སྣས་རྒས་གསོའི་དངུལ་ལེན་པའི་ཁྱད་ཚད་ར་སྤྲོད་སྐོར་གྱི་དྲན་སྐུལ།",
     "每年请按社区通知完成领取养老金资格认证，可到社区办理，行动不便的可申请上门认证。",
     "ལོ་རེར་སྡེ་ཁུལ་གྱི་བརྡ་ཐོ་ལྟར་རྒས་གསོའི་དངུལ་ལེན་པའི་ཁྱད་ཚད་ར་སྤྲོད་ལེགས་སྒྲུབ་བྱེད་རོགས། སྡེ་ཁུལ་དུ་ཐད་ཀར་སྒྲུབ་ཆོག "
     "བགྲོད་འགྲུལ་ལ་དཀའ་ངལ་ཡོད་ན་ཁྱིམ་དུ་ཡོང་ནས་ར་སྤྲོད་བྱེད་པའི་རེ་ཞུ་འབུལ་ཆོག"),
    (Audience.COUNTIES, False, False,
     "关于报送乡镇（街道）和社区专职人员配备情况的通知（草稿）",
     "ཤང་གྲོང་རྡལ(ཁྲོམ་གཞུང་)དང་སྡེ་ཁུལ་གྱི་ཆེད་ལས་མི་སྣ་སྒྲིག་འཛུགས་གནས་ཚུལ་སྙན་སེང་བྱ་རྒྱུའི་བརྡ་ཐོ། (ཟིན་བྲིས།)",
     "各县（区）：请于本月底前报送乡镇（街道）和社区专职管理服务人员配备情况。",
     "རྫོང་(ཆུས)་ཁག་ལ། ཟླ་མཇུག་གི་སྔོན་ལ་ཤང་གྲོང་རྡལ(ཁྲོམ་གཞུང་)དང་སྡེ་ཁུལ་གྱི་ཆེད་ལས་དོ་དམ་ཞབས་ཞུའི་མི་སྣ་སྒྲིག་འཛུགས་"
     "གནས་ཚུལ་སྙན་སེང་བྱེད་རོགས།"),
]


def seed_demo_notices():
    if db.session.scalar(select(func.count()).select_from(PolicyNotice)):
        return
    sasac = appbuilder.sm.find_user(username="sasac")
    for audience, public, published, title_zh, title_bo, body_zh, body_bo in NOTICES:
        notice = PolicyNotice(audience=audience, public=public, title_zh=title_zh, title_bo=title_bo,
                              body_zh=body_zh, body_bo=body_bo)
        services.save_draft(sasac, notice, new=True)
        db.session.add(notice)
        db.session.flush()
        if published:
            services.publish(sasac, notice)
            for reader in ("county1", "enterprise1"):
                user = appbuilder.sm.find_user(username=reader)
                if services.rules.addressed_to(audience, user.org.kind if getattr(user, "org", None) else None):
                    services.mark_read(user, notice)
    db.session.commit()
